import { swapExactIn } from "../../chain/swapExactIn.js";
import { getConfig } from "../../config.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount } from "../format.js";
import type { ActionModule } from "../types.js";
import { swapFromModel } from "./model.js";
import { planSwap } from "./planSwap.js";
import { SwapAction } from "./schema.js";

/** An exact-in DEX swap, once per step (approval and swap transactions recorded before broadcast). */
export const swap: ActionModule<"swap"> = {
  type: "swap",
  schema: SwapAction,
  fromModel: swapFromModel,
  plan: planSwap,
  async maxSpend(action) {
    return { token: action.tokenIn, amount: BigInt(action.amountIn) };
  },
  perform({ db, run, chain }, action, { stepId }) {
    return waitingOnChain(async () => {
      const swapped = await swapExactIn(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        tokenIn: action.tokenIn,
        tokenOut: action.tokenOut,
        amountIn: action.amountIn,
        slippageBps: action.slippageBps,
        deadlineSeconds: action.deadlineSeconds,
        // The plan's floor (e.g. "buy 100 USDC with CRO" must yield 100 USDC) binds the router too.
        ...(action.minAmountOut ? { minAmountOut: action.minAmountOut } : {}),
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
          hash: swapped.hash,
          reused: swapped.reused,
        },
        txHashes: swapped.approvalHash ? [swapped.approvalHash, swapped.hash] : [swapped.hash],
        cost: [await gasCost(chain, swapped.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const sold = formatAmount(action.amountIn, action.tokenIn);
    const out = (outcome?.output as { amountOut?: string } | null)?.amountOut;
    if (out !== undefined) return `Swapped ${sold} → ${formatAmount(out, action.tokenOut)}`;
    if (outcome?.waitFor) return `Swapping ${sold} for ${action.tokenOut} (waiting for the chain)`;
    const least = action.minAmountOut
      ? ` (at least ${formatAmount(action.minAmountOut, action.tokenOut)})`
      : "";
    return `Swap ${sold} for ${action.tokenOut}${least}`;
  },
};
