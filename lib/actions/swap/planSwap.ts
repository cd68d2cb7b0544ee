import { PlanError } from "../../agent/errors.js";
import type { SwapIntent } from "../../agent/intent.js";
import { DEFAULT_DEADLINE_SECONDS, DEFAULT_SLIPPAGE_BPS } from "../../agent/planner.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import type { Draft, PlanState } from "../types.js";
import { bps, quote, quoteAmountIn } from "./quote.js";

/**
 * Quotes a swap and fixes its floor: exact-in keeps the quote minus slippage; exact-out ("buy 100
 * USDC with CRO") becomes an exact-in of the quoted input plus slippage that must yield the target.
 */
export async function planSwap(intent: SwapIntent, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  tokenOf(ctx, intent.tokenIn);
  tokenOf(ctx, intent.tokenOut);
  const slippageBps = intent.slippageBps ?? ctx.defaultSlippageBps ?? DEFAULT_SLIPPAGE_BPS;
  const deadlineSeconds =
    intent.deadlineSeconds ?? ctx.defaultDeadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  let amountIn: bigint;
  let minAmountOut: bigint;
  let quoted: bigint;
  if (intent.amountIn) {
    amountIn = BigInt(intent.amountIn);
    quoted = await quote(ctx, intent.tokenIn, intent.tokenOut, amountIn);
    if (quoted === 0n)
      throw new PlanError(`The quote for ${show(ctx, amountIn, intent.tokenIn)} returns nothing`);
    minAmountOut = quoted - bps(quoted, slippageBps, true);
    state.explanation.push(
      `Swap ${show(ctx, amountIn, intent.tokenIn)} for about ${show(ctx, quoted, intent.tokenOut)} (at least ${show(ctx, minAmountOut, intent.tokenOut)} with ${slippageBps / 100}% slippage).`,
    );
  } else {
    if (!intent.amountOut)
      throw new PlanError("The swap has neither an input nor an output amount");
    minAmountOut = BigInt(intent.amountOut);
    const needed = await quoteAmountIn(ctx, intent.tokenIn, intent.tokenOut, minAmountOut);
    amountIn = needed + bps(needed, slippageBps, true);
    quoted = await quote(ctx, intent.tokenIn, intent.tokenOut, amountIn);
    state.explanation.push(
      `Buy ${show(ctx, minAmountOut, intent.tokenOut)}: planned as an exact-in swap of ${show(ctx, amountIn, intent.tokenIn)} (quote ${show(ctx, needed, intent.tokenIn)} plus ${slippageBps / 100}% slippage), requiring at least ${show(ctx, minAmountOut, intent.tokenOut)} out.`,
    );
  }
  // Not put to a person, nor reserved, when its step would refuse it.
  const refusal = await ctx.checkSwapPrice?.({
    tokenIn: intent.tokenIn,
    tokenOut: intent.tokenOut,
    amountIn: amountIn.toString(),
  });
  if (refusal) throw new PlanError(refusal, { kind: "refused" });
  return {
    action: {
      type: "swap",
      tokenIn: intent.tokenIn,
      tokenOut: intent.tokenOut,
      amountIn: amountIn.toString(),
      minAmountOut: minAmountOut.toString(),
      quotedAmountOut: quoted.toString(),
      slippageBps,
      deadlineSeconds,
    },
    spend: { token: intent.tokenIn, amount: amountIn },
    produces: { token: intent.tokenOut, amount: minAmountOut },
  };
}
