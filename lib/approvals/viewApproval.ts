import { describeAction } from "../actions/registry.js";
import { Action } from "../actions/schemas.js";
import type { ApprovalRequest } from "../db/database.js";

/** The public shape of an approval request. */
export function viewApproval(approval: ApprovalRequest) {
  return {
    token: approval.token,
    runId: approval.run_id,
    sessionId: approval.session_id,
    step: approval.step_index,
    action: approval.action,
    /** What approving lets happen, in human units ("Send 50 USDC to 0x90F7…b906"). */
    summary: summaryOf(approval.action),
    amountUsd: approval.amount_usd,
    reason: approval.reason,
    /** The policy rule that held it, and how many distinct approvers it needs. */
    rule: approval.rule,
    requiredApprovals: approval.required_approvals,
    status: approval.status,
    decision: approval.decision,
    expiresAt: approval.expires_at.toISOString(),
    createdAt: approval.created_at.toISOString(),
    decidedAt: approval.decided_at?.toISOString() ?? null,
  };
}

function summaryOf(action: unknown): string | null {
  const parsed = Action.safeParse(action);
  return parsed.success ? describeAction(parsed.data) : null;
}
