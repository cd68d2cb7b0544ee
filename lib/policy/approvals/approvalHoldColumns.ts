import { formatDecimal } from "../../agent/decimal.js";
import type { HoldDecision } from "../types.js";

/**
 * The approval_requests columns a hold sets (phase 2's requestApproval spreads them into its
 * insert): quorum size, who may decide, the rule and policy version, the message as the reason,
 * the USD value and the expiry.
 */
export function approvalHoldColumns(
  decision: HoldDecision,
  parameters: { agentKeyId: string | null; now?: Date; defaultExpirySeconds: number },
) {
  const now = parameters.now ?? new Date();
  const seconds = decision.expiresInSeconds ?? parameters.defaultExpirySeconds;
  return {
    required_approvals: decision.requiredApprovals,
    approvers: decision.approvers,
    agent_key_id: parameters.agentKeyId,
    policy_id: decision.policyId,
    policy_version: decision.policyVersion,
    rule: decision.rule,
    reason: decision.message,
    amount_usd: decision.usdMicros === null ? null : formatDecimal(decision.usdMicros, 6),
    expires_at: new Date(now.getTime() + seconds * 1000),
  };
}
