import { z } from "zod";
import { getDailyAllowance } from "../../lib/budget/index.js";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";

export const querySchema = z.object({
  sessionId: z.string().trim().min(1).max(200).describe("Session whose daily allowance to read"),
});

/**
 * GET /api/wallet/allowance?sessionId= — what is left of the session's daily limit today (UTC):
 * limit, spent, reserved, remaining and when it resets; `allowance: null` when it has no daily limit.
 */
export const GET = route("/api/wallet/allowance", async (request) => {
  const principal = await guard(request);
  const { sessionId } = parseQuery(request, querySchema);
  const db = await getDb();
  await getSessionFor(db, principal, sessionId);
  return json({ sessionId, allowance: await getDailyAllowance(db, sessionId) });
});
