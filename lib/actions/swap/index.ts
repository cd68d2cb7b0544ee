import { swapExactIn } from "../../chain/swapExactIn.js";
import { getConfig } from "../../config.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount } from "../format.js";
import { resolveWholeAmount } from "../resolveWholeAmount.js";
import type { ActionModule } from "../types.js";
import { swapFromModel } from "./model.js";
import { planSwap } from "./planSwap.js";
import { planSwapAll } from "./planSwapAll.js";
import { SwapAction } from "./schema.js";

/**
 * An exact-in DEX swap, once per step (approval and swap transactions recorded before broadcast).
 * A whole-balance swap (`all`) sells what the chain holds when it runs, minus a gas reserve for CRO.
 */
export const swap: ActionModule<"swap"> = {
  type: "swap",
  schema: SwapAction,
  fromModel: swapFromModel,
  async plan(intent, state) {
    return intent.kind === "swapAll" ? planSwapAll(intent, state) : planSwap(intent, state);
  },
  async maxSpend(action, context, options) {
    if (!action.all) return { token: action.tokenIn, amount: BigInt(action.amountIn) };
    const amount = await resolveWholeAmount(context, {
      token: action.tokenIn,
      stepId: options?.stepId,
    });
    return { token: action.tokenIn, amount };
  },
  perform(context, action, { stepId, spend }) {
    const { db, run, chain } = context;
    return waitingOnChain(async () => {
      let amountIn = BigInt(action.amountIn);
      let minAmountOut = action.minAmountOut ? BigInt(action.minAmountOut) : undefined;
      if (action.all) {
        // "All" sells what the step reserved (the balance when it first ran); the approved floor
        // keeps its rate: it scales with the amount actually sold.
        amountIn =
          spend?.amount ?? (await resolveWholeAmount(context, { token: action.tokenIn, stepId }));
        if (minAmountOut !== undefined)
          minAmountOut = (minAmountOut * amountIn) / BigInt(action.amountIn);
      }
      const config = getConfig();
      const swapped = await swapExactIn(chain, db, {
        receiptTimeoutMs: config.CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        tokenIn: action.tokenIn,
        tokenOut: action.tokenOut,
        amountIn,
        slippageBps: action.slippageBps,
        deadlineSeconds: action.deadlineSeconds,
        // The plan's floor (e.g. "buy 100 USDC with CRO" must yield 100 USDC) binds the router too.
        ...(minAmountOut !== undefined ? { minAmountOut } : {}),
        priceGuard: {
          averageMinutes: config.SWAP_AVERAGE_MINUTES,
          maxGapBps: config.SWAP_MAX_PRICE_GAP_BPS,
        },
      });
      return {
        output: {
          tokenIn: action.tokenIn,
          tokenOut: action.tokenOut,
          amountIn: swapped.amountIn,
          amountOut: swapped.amountOut,
          quotedAmountOut: swapped.quotedAmountOut,
          amountOutMin: swapped.amountOutMin,
          priceImpactBps: swapped.priceImpactBps,
          priceGap: swapped.priceGap ?? null,
          hash: swapped.hash,
          reused: swapped.reused,
        },
        txHashes: swapped.approvalHash ? [swapped.approvalHash, swapped.hash] : [swapped.hash],
        cost: [await gasCost(chain, swapped.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const output = outcome?.output as { amountIn?: string; amountOut?: string } | null;
    const out = output?.amountOut;
    if (action.all) {
      if (out !== undefined && output?.amountIn !== undefined)
        return `Swapped all your ${action.tokenIn}: ${formatAmount(output.amountIn, action.tokenIn)} → ${formatAmount(out, action.tokenOut)}`;
      if (outcome?.waitFor)
        return `Swapping all your ${action.tokenIn} for ${action.tokenOut} (waiting for the chain)`;
      return `Swap all your ${action.tokenIn} for ${action.tokenOut} (${formatAmount(action.amountIn, action.tokenIn)} when planned; the balance is read again when it runs)`;
    }
    const sold = formatAmount(action.amountIn, action.tokenIn);
    if (out !== undefined) return `Swapped ${sold} → ${formatAmount(out, action.tokenOut)}`;
    if (outcome?.waitFor) return `Swapping ${sold} for ${action.tokenOut} (waiting for the chain)`;
    const least = action.minAmountOut
      ? ` (at least ${formatAmount(action.minAmountOut, action.tokenOut)})`
      : "";
    return `Swap ${sold} for ${action.tokenOut}${least}`;
  },
};
