import { formatAllowance } from "../../lib/budget/formatAllowance.js";
import { getDailyAllowance } from "../../lib/budget/index.js";
import { dailyAllowanceResponse } from "../../lib/budget/responses.js";
import { dailyAllowanceQuery } from "../../lib/budget/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";

/**
 * GET /api/wallet/allowance?sessionId= — what is left of the session's daily limit today (UTC):
 * limit, spent, reserved, remaining and when it resets; `allowance: null` when it has no daily limit.
 */
export const GET = endpoint(
  {
    route: "/api/wallet/allowance",
    method: "GET",
    operationId: "getDailyAllowance",
    summary: "What is left of a session's daily limit today (UTC)",
    tags: ["wallet"],
    auth: "any",
    query: dailyAllowanceQuery,
    success: {
      status: 200,
      description: "The allowance (null without a daily limit)",
      schema: dailyAllowanceResponse,
    },
  },
  async ({ principal, query: { sessionId } }) => {
    const db = await getDb();
    await getSessionFor(db, principal, sessionId);
    const allowance = await getDailyAllowance(db, sessionId);
    return { sessionId, allowance: allowance ? formatAllowance(allowance) : null };
  },
);
