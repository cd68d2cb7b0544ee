import { PlanError } from "../../agent/errors.js";
import type { PlannerContext } from "../../agent/planner.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import { isRpcUnavailable } from "../../chain/isRpcUnavailable.js";

/** Exact-in quote in base units; a PlanError when the DEX has no route. */
export async function quote(
  ctx: PlannerContext,
  tokenIn: string,
  tokenOut: string,
  amountIn: bigint,
): Promise<bigint> {
  try {
    const { amountOut } = await ctx.quoteSwap({ tokenIn, tokenOut, amountIn: amountIn.toString() });
    return BigInt(amountOut);
  } catch (error) {
    throw new PlanError(`No quote for ${tokenIn} → ${tokenOut}`, {
      cause: error,
      // An RPC outage is not a missing route: the plan step retries it.
      ...(isRpcUnavailable(error) ? { kind: "transient" as const } : {}),
    });
  }
}

/** Smallest input whose quote covers `amountOut` (exact-out via the exact-in quoter). */
export async function quoteAmountIn(
  ctx: PlannerContext,
  tokenIn: string,
  tokenOut: string,
  amountOut: bigint,
): Promise<bigint> {
  if (ctx.quoteSwapExactOut) {
    try {
      const { amountIn } = await ctx.quoteSwapExactOut({
        tokenIn,
        tokenOut,
        amountOut: amountOut.toString(),
      });
      return BigInt(amountIn);
    } catch (error) {
      throw new PlanError(`No quote for ${show(ctx, amountOut, tokenOut)} from ${tokenIn}`, {
        cause: error,
        ...(isRpcUnavailable(error) ? { kind: "transient" as const } : {}),
      });
    }
  }
  const unit = 10n ** BigInt(tokenOf(ctx, tokenIn).decimals);
  const probe = await quote(ctx, tokenIn, tokenOut, unit);
  if (probe === 0n) throw new PlanError(`No liquidity for ${tokenIn} → ${tokenOut}`);
  let low = 0n;
  let high = (amountOut * unit) / probe + 1n;
  // Grow until the quote covers the target (price impact makes the linear guess short).
  for (let i = 0; ; i++) {
    const out = await quote(ctx, tokenIn, tokenOut, high);
    if (out >= amountOut) break;
    if (i >= 40)
      throw new PlanError(`Not enough liquidity to buy ${show(ctx, amountOut, tokenOut)}`);
    low = high;
    high = out === 0n ? high * 2n : (high * amountOut * 101n) / (out * 100n) + 1n;
  }
  // Tighten to within 0.01% so the user does not overpay for the search.
  for (let i = 0; i < 32 && high - low > high / 10_000n + 1n; i++) {
    const middle = (low + high) / 2n;
    if ((await quote(ctx, tokenIn, tokenOut, middle)) >= amountOut) high = middle;
    else low = middle;
  }
  return high;
}

/** Basis points of an amount, rounded up or down. */
export function bps(amount: bigint, basisPoints: number, roundUp: boolean): bigint {
  const scaled = amount * BigInt(basisPoints);
  return roundUp ? (scaled + 9_999n) / 10_000n : scaled / 10_000n;
}
