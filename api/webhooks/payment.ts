import { z } from "zod";
import { getConfig } from "../../lib/config.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { json, route, validate } from "../../lib/http/index.js";
import { settleLatePayment } from "../../lib/runs/wake/settleLatePayment.js";
import { verifyWebhook } from "../../lib/security/verifyWebhook.js";

export const paymentEvent = z
  .object({
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be the 32-byte EIP-3009 nonce"),
    status: z.enum(["settled", "failed"]),
    transaction: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/)
      .optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

/**
 * POST /api/webhooks/payment — a facilitator that settles later reports the outcome. HMAC-signed
 * with a timestamp window and replay protection; on success the waiting run resumes.
 */
export const POST = route("/api/webhooks/payment", async (request) => {
  const { body, eventId, forget } = await verifyWebhook(request, {
    secret: getConfig().WEBHOOK_SECRET,
  });
  const event = validate(paymentEvent, body, "body");
  try {
    return json({ eventId, ...(await settleLatePayment(await getDb(), event)) });
  } catch (error) {
    // A transient failure (or the chain not showing the settlement yet): accept the retry.
    if (!(error instanceof ClientError) || error.code === "conflict") await forget();
    throw error;
  }
});
