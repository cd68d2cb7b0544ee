import { decideApproval } from "../../lib/approvals/decideApproval.js";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, route, validate } from "../../lib/http/index.js";
import { approvalDecision, approvalToken } from "../../lib/runs/schemas.js";

/** POST /api/approvals/{token} {decision: approve|reject|edit, args?} — decide and resume the run. */
export const POST = route("/api/approvals/[token]", async (request, { params }) => {
  const principal = await guard(request);
  const token = validate(approvalToken, params.token, "approval token");
  const decision = await parseJsonBody(request, approvalDecision);
  return json(await decideApproval(await getDb(), principal, token, decision));
});
