import { z } from "zod";
import { getConfig } from "../../lib/config.js";
import { getDb } from "../../lib/db/index.js";
import { json, route, validate } from "../../lib/http/index.js";
import { watchChain } from "../../lib/runs/watchChain.js";
import { verifyWebhook } from "../../lib/security/verifyWebhook.js";

export const chainEvent = z
  .object({ hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte transaction hash") })
  .strict();

/**
 * POST /api/webhooks/chain {hash} — an external notifier says a transaction has news. HMAC-signed.
 * We do not take the notifier's word for the outcome: the hash only triggers our own receipt check,
 * which resumes the waiting run.
 */
export const POST = route("/api/webhooks/chain", async (request) => {
  const { body, eventId } = await verifyWebhook(request, { secret: getConfig().WEBHOOK_SECRET });
  const { hash } = validate(chainEvent, body, "body");
  const result = await watchChain(await getDb(), { hash });
  return json({ eventId, ...result });
});
