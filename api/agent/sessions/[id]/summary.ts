import { getConfig } from "../../../../lib/config.js";
import { getDb } from "../../../../lib/db/index.js";
import { endpoint } from "../../../../lib/http/index.js";
import { getSessionSummary } from "../../../../lib/logs/getSessionSummary.js";
import { sessionSummaryResponse } from "../../../../lib/logs/schemas.js";
import { sessionId } from "../../../../lib/sessions/schemas.js";

/** GET /api/agent/sessions/{id}/summary — runs by status, spend per token and in USD, gas, model tokens, top services. */
export const GET = endpoint(
  {
    route: "/api/agent/sessions/[id]/summary",
    method: "GET",
    operationId: "getSessionSummary",
    summary: "Runs by status, spend per token and in USD, gas, model tokens, top services",
    tags: ["sessions"],
    auth: "any",
    params: { id: sessionId },
    success: { status: 200, description: "The session summary", schema: sessionSummaryResponse },
  },
  async ({ principal, params }) =>
    getSessionSummary(await getDb(), principal, {
      sessionId: params.id,
      network: getConfig().PAYGENT_NETWORK,
    }),
);
