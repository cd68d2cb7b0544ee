import { describeAction } from "../actions/registry.js";
import { Action } from "../actions/schemas.js";
import { type AmountView, viewAmount, viewUsd } from "../amounts/index.js";
import type { ApprovalRequest } from "../db/database.js";
import { editableAmountFields } from "./resolveEditArgs.js";

/** The public shape of an approval request. */
export function viewApproval(approval: ApprovalRequest) {
  return {
    token: approval.token,
    runId: approval.run_id,
    sessionId: approval.session_id,
    step: approval.step_index,
    action: approval.action,
    amounts: amountsOf(approval.action),
    /** What approving lets happen, in human units ("Send 50 USDC to 0x90F7…b906"). */
    summary: summaryOf(approval.action),
    amountUsd: viewUsd(approval.amount_usd),
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

/** The editable amounts of the action in the response form (empty when it has none or is unparsable). */
function amountsOf(action: unknown): Record<string, AmountView> {
  const parsed = Action.safeParse(action);
  if (!parsed.success) return {};
  const amounts: Record<string, AmountView> = {};
  for (const [field, token] of Object.entries(editableAmountFields(parsed.data))) {
    const value = (parsed.data as Record<string, unknown>)[field];
    if (typeof value === "string" && /^\d+$/.test(value)) amounts[field] = viewAmount(value, token);
  }
  return amounts;
}

function summaryOf(action: unknown): string | null {
  const parsed = Action.safeParse(action);
  return parsed.success ? describeAction(parsed.data) : null;
}
