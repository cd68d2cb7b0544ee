import { listApprovals } from "../../lib/approvals/listApprovals.js";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { listApprovalsQuery } from "../../lib/runs/schemas.js";

/** GET /api/approvals?status=pending&sessionId — approval requests visible to the caller. */
export const GET = route("/api/approvals", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listApprovalsQuery);
  return json({ approvals: await listApprovals(await getDb(), principal, query) });
});
