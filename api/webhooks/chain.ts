import { chainWebhookEvent } from "../../lib/chain/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { chainWebhookResponse } from "../../lib/http/operationResponses.js";
import { watchChain } from "../../lib/runs/wake/watchChain.js";

/**
 * POST /api/webhooks/chain {hash} — an external notifier says a transaction has news. HMAC-signed.
 * We do not take the notifier's word for the outcome: the hash only triggers our own receipt check,
 * which resumes the waiting run.
 */
export const POST = endpoint(
  {
    route: "/api/webhooks/chain",
    method: "POST",
    operationId: "receiveChainWebhook",
    summary: "A notifier reports news about a transaction; triggers our own receipt check",
    tags: ["webhooks"],
    auth: "webhook",
    rateLimit: "public:webhooks",
    body: { name: "ChainWebhookEvent", schema: chainWebhookEvent },
    success: {
      status: 200,
      description: "Processed (duplicates are acknowledged)",
      schema: chainWebhookResponse,
    },
    responses: { 503: "A dependency is briefly unavailable (the sender may retry)" },
  },
  async ({ body, webhook }) => ({
    eventId: webhook.eventId,
    ...(await watchChain(await getDb(), { hash: body.hash })),
  }),
);
