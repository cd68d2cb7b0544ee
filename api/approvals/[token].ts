import { decideApproval } from "../../lib/approvals/decideApproval.js";
import { approvalVoteResponse } from "../../lib/approvals/responses.js";
import { approvalDecision, approvalToken } from "../../lib/approvals/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";

/** POST /api/approvals/{token} {decision: approve|reject|edit, args?} — decide and resume the run. */
export const POST = endpoint(
  {
    route: "/api/approvals/[token]",
    method: "POST",
    operationId: "decideApproval",
    summary: "Vote on a pending action (approver or admin keys); the run resumes once decided",
    tags: ["approvals"],
    auth: ["admin", "approver"],
    params: { token: approvalToken },
    body: { name: "ApprovalDecision", schema: approvalDecision },
    success: {
      status: 200,
      description: "The decision as recorded",
      schema: approvalVoteResponse,
    },
    responses: {
      409: "The approval was already decided, or this approver already voted otherwise",
      422: "An edit past a limit of the policy or the command budget",
      410: "The approval expired",
    },
  },
  async ({ principal, params, body }) =>
    await decideApproval(await getDb(), principal, params.token, body),
);
