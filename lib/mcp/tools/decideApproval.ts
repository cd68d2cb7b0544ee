import { decideApproval } from "../../approvals/decideApproval.js";
import { defineTool } from "../defineTool.js";
import { decideApprovalSpec } from "../toolSpecs.js";

/**
 * decide_approval (approver keys): POST /api/approvals/{token} as a tool, through the same
 * decideApproval (castApprovalVote: quorum, one vote per approver, agents refused).
 */
export const decideApprovalTool = defineTool(
  decideApprovalSpec,
  async (args, { db, principal }) => {
    const decided = await decideApproval(db, principal, args.token, {
      decision: args.decision,
      ...(args.comment ? { comment: args.comment } : {}),
    });
    return {
      structured: { ...decided },
      text:
        decided.status === "pending"
          ? `Vote recorded on ${decided.token}: ${decided.approvals} of ${decided.required} approvals; the run waits for the rest.`
          : `Approval ${decided.token} ${decided.status}; run ${decided.runId} ${decided.resumed ? "resumed" : "will read the decision when it wakes"}.`,
    };
  },
);
