import { listApprovals } from "../../approvals/listApprovals.js";
import { defineTool } from "../defineTool.js";
import { listApprovalsSpec } from "../toolSpecs.js";

/** list_approvals (approver keys): GET /api/approvals as a tool. */
export const listApprovalsTool = defineTool(listApprovalsSpec, async (args, { db, principal }) => {
  const approvals = await listApprovals(db, principal, {
    status: args.status,
    limit: args.limit,
    ...(args.sessionId ? { sessionId: args.sessionId } : {}),
  });
  return {
    structured: { approvals },
    text: `${approvals.length} ${args.status} approval${approvals.length === 1 ? "" : "s"}.`,
  };
});
