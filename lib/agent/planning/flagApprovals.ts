import type { Action } from "../../actions/schemas.js";
import type { Draft } from "../../actions/types.js";
import { formatUsd, parseUsd } from "../decimal.js";
import type { PlannedAction } from "../plan.js";
import type { PlannerContext } from "../planner.js";
import { valueUsd } from "./valueUsd.js";

/**
 * Numbers the drafts and decides which need a person's approval: everything that moves money and
 * is worth more than the threshold, or has no USD price at all, and every draft marked
 * alwaysApprove. Binds swap-funded payments to the
 * index of the swap that funds them.
 */
export async function flagApprovals(
  ctx: PlannerContext,
  drafts: Draft[],
): Promise<PlannedAction[]> {
  const threshold = parseUsd(ctx.approvalThresholdUsd);
  const actions: PlannedAction[] = [];
  for (const [index, draft] of drafts.entries()) {
    const valued = draft.value ?? draft.spend;
    let usd = draft.usd;
    if (valued && usd === undefined) usd = await valueUsd(ctx, valued.token, valued.amount);
    const spends = valued !== undefined || draft.movesMoney === true;
    let requiresApproval = false;
    let reason = draft.reason;
    if (draft.alwaysApprove) {
      // A whole balance is approved by a person whatever it is worth (grammar, issue 19).
      requiresApproval = true;
      reason = draft.alwaysApprove;
    } else if (spends && usd === undefined) {
      requiresApproval = true;
      reason = `No USD price for ${valued?.token ?? "this service"}, so it needs approval`;
    } else if (spends && usd !== undefined && usd > threshold) {
      requiresApproval = true;
      reason = `Worth about $${formatUsd(usd, 2)}, above the $${ctx.approvalThresholdUsd} approval threshold`;
    }
    const action: Action = draft.fundedBy
      ? ({ ...draft.action, amountFromStep: drafts.indexOf(draft.fundedBy) } as Action)
      : draft.action;
    actions.push({
      index,
      action,
      requiresApproval,
      ...(usd !== undefined && spends ? { usdValue: formatUsd(usd) } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  return actions;
}
