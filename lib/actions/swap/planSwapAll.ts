import { PlanError } from "../../agent/errors.js";
import type { SwapAllIntent } from "../../agent/intent.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import type { Draft, PlanState } from "../types.js";
import { planSwap } from "./planSwap.js";

/**
 * "Swap all my CRO for USDC": an exact-in swap of the whole balance read now (minus a gas reserve
 * for CRO), quoted like any swap, marked `all` so it sells what the chain holds when it runs, and
 * always put to a person for approval.
 */
export async function planSwapAll(intent: SwapAllIntent, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  tokenOf(ctx, intent.tokenIn);
  if (!ctx.readWholeBalance) {
    throw new PlanError(`Cannot read the ${intent.tokenIn} balance to swap all of it`, {
      suggestions: [
        `Give an exact amount, e.g. "swap 10 ${intent.tokenIn} for ${intent.tokenOut}"`,
      ],
    });
  }
  const whole = await ctx.readWholeBalance(intent.tokenIn);
  const { kind: _kind, ...rest } = intent;
  const draft = await planSwap({ ...rest, kind: "swap", amountIn: whole.amount.toString() }, state);
  if (draft.action.type !== "swap") throw new PlanError("A whole-balance swap did not plan a swap");
  const amount = show(ctx, whole.amount, intent.tokenIn);
  const kept =
    whole.reserve > 0n ? `, keeping ${show(ctx, whole.reserve, intent.tokenIn)} for gas` : "";
  state.explanation.push(
    `That is all your ${intent.tokenIn}: ${amount} now${kept}; the amount is read again when it runs, and the least accepted output scales with it.`,
  );
  return {
    ...draft,
    action: { ...draft.action, all: true },
    alwaysApprove: `Swaps all your ${intent.tokenIn} (${amount} when planned${kept}); a whole balance always needs approval`,
  };
}
