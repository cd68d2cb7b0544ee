import { getDb } from "../../lib/db/index.js";
import { errorKind } from "../../lib/errors/index.js";
import { endpoint } from "../../lib/http/index.js";
import { paymentWebhookResponse } from "../../lib/http/operationResponses.js";
import { settleLatePayment } from "../../lib/runs/wake/settleLatePayment.js";
import { paymentWebhookEvent } from "../../lib/x402/schemas.js";

/**
 * POST /api/webhooks/payment — a facilitator that settles later reports the outcome. HMAC-signed
 * with a timestamp window and replay protection; on success the waiting run resumes.
 */
export const POST = endpoint(
  {
    route: "/api/webhooks/payment",
    method: "POST",
    operationId: "receivePaymentWebhook",
    summary: "A facilitator that settles later reports the outcome",
    tags: ["webhooks"],
    auth: "webhook",
    rateLimit: "public:webhooks",
    body: { name: "PaymentWebhookEvent", schema: paymentWebhookEvent },
    success: {
      status: 200,
      description: "Processed (duplicates are acknowledged)",
      schema: paymentWebhookResponse,
    },
    responses: {
      404: "No payment matches the event",
      409: "The chain does not show the settlement yet (the sender may retry)",
      503: "A dependency is briefly unavailable (the sender may retry)",
    },
  },
  async ({ body, webhook }) => {
    try {
      return { eventId: webhook.eventId, ...(await settleLatePayment(await getDb(), body)) };
    } catch (error) {
      // The chain not showing the settlement yet (conflict) is worth the sender's retry too.
      if (errorKind(error) === "conflict") await webhook.forget();
      throw error;
    }
  },
);
