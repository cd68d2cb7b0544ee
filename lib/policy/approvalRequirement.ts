import { parseDecimal } from "../agent/decimal.js";
import { formatAmount, USD_MICRO_DECIMALS } from "./amounts.js";
import { type CommandLimits, type PolicyDocument, USD } from "./schemas.js";

const usdUnit = { name: USD, decimals: USD_MICRO_DECIMALS };
const micros = (usd: string): bigint => parseDecimal(usd, USD_MICRO_DECIMALS);

/** How many approvals an action worth `usdMicros` needs, and which rule says so. */
export interface ApprovalRequirement {
  required: number;
  rule: string;
  /** "the 10 USD threshold". */
  threshold: string;
}

/** Who may decide the policy's approvals: its own word, else assigned approvers only. */
export function policyApprovers(document: PolicyDocument): "assigned" | "any" {
  return document.approvals?.approvers ?? "assigned";
}

/** True when the document or the command sets any USD approval rule (so the value is needed). */
export function hasApprovalRules(document: PolicyDocument, limits?: CommandLimits): boolean {
  return (
    document.approvalThresholdUsd !== undefined ||
    document.approvals !== undefined ||
    limits?.approvalThresholdUsd !== undefined
  );
}

/**
 * The approvals an action needs: above the (lowest of the policy's and the command's) threshold,
 * one; above `approvals.aboveUsd` (or whenever held, without it), `approvals.required`.
 */
export function approvalRequirement(
  document: PolicyDocument,
  usdMicros: bigint,
  limits?: CommandLimits,
): ApprovalRequirement | undefined {
  const policyThreshold =
    document.approvalThresholdUsd === undefined ? undefined : micros(document.approvalThresholdUsd);
  const commandThreshold =
    limits?.approvalThresholdUsd === undefined ? undefined : micros(limits.approvalThresholdUsd);
  let threshold = policyThreshold;
  let rule = "approvalThresholdUsd";
  if (commandThreshold !== undefined && (threshold === undefined || commandThreshold < threshold)) {
    threshold = commandThreshold;
    rule = "command.approvalThresholdUsd";
  }
  let result: ApprovalRequirement | undefined;
  if (threshold !== undefined && usdMicros > threshold)
    result = { required: 1, rule, threshold: `the ${formatAmount(usdUnit, threshold)} threshold` };
  const quorum = document.approvals;
  if (quorum) {
    const above = quorum.aboveUsd === undefined ? undefined : micros(quorum.aboveUsd);
    const applies = above === undefined ? result !== undefined : usdMicros > above;
    if (applies && quorum.required > (result?.required ?? 0)) {
      result = {
        required: quorum.required,
        rule: above === undefined ? "approvals.required" : "approvals.aboveUsd",
        threshold:
          above === undefined
            ? (result?.threshold ?? "the approval threshold")
            : `the ${formatAmount(usdUnit, above)} threshold`,
      };
    }
  }
  return result;
}
