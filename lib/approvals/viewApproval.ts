import type { ApprovalRequest } from "../db/database.js";

/** The public shape of an approval request. */
export function viewApproval(approval: ApprovalRequest) {
  return {
    token: approval.token,
    runId: approval.run_id,
    sessionId: approval.session_id,
    step: approval.step_index,
    action: approval.action,
    amountUsd: approval.amount_usd,
    reason: approval.reason,
    status: approval.status,
    decision: approval.decision,
    expiresAt: approval.expires_at.toISOString(),
    createdAt: approval.created_at.toISOString(),
    decidedAt: approval.decided_at?.toISOString() ?? null,
  };
}
