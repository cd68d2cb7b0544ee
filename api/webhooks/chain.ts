import { z } from "zod";
import { getConfig } from "../../lib/config.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { json, route, validate } from "../../lib/http/index.js";
import { watchChain } from "../../lib/runs/wake/watchChain.js";
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
  const { body, eventId, forget } = await verifyWebhook(request, {
    secret: getConfig().WEBHOOK_SECRET,
  });
  const { hash } = validate(chainEvent, body, "body");
  try {
    return json({ eventId, ...(await watchChain(await getDb(), { hash })) });
  } catch (error) {
    // A transient failure: let the notifier's retry of this event through.
    if (!(error instanceof ClientError)) await forget();
    throw error;
  }
});
