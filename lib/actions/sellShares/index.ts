import { getConfig } from "../../config.js";
import { sellOutcome } from "../../markets/sellOutcome.js";
import { lessSlippage } from "../../markets/slippage.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount } from "../format.js";
import { formatShares } from "../markets.js";
import type { ActionModule } from "../types.js";
import { sellSharesFromModel } from "./model.js";
import { planSellShares } from "./planSellShares.js";
import { SellSharesAction } from "./schema.js";

/**
 * Sells every share of one outcome back to the market maker (FPMM sell), once per step: the
 * approval for the market maker and the sale are recorded before broadcast.
 */
export const sellShares: ActionModule<"sellShares"> = {
  type: "sellShares",
  schema: SellSharesAction,
  fromModel: sellSharesFromModel,
  plan: planSellShares,
  async maxSpend() {
    // Shares leave and collateral comes back: no token leaves the wallet beyond gas.
    return undefined;
  },
  perform({ db, run, chain }, action, { stepId }) {
    return waitingOnChain(async () => {
      const sold = await sellOutcome(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        market: action.market,
        outcome: action.outcome,
        // What the user asked: every share held when the sale runs.
        shares: "all",
        slippageBps: action.slippageBps,
        // The plan's floor binds the market maker too, as the plan told the user ("at least R"):
        // its quote less its slippage. An action carrying no quote (none was planned) has no such
        // floor; only the fresh quote's slippage then holds the sale.
        ...(action.quotedReturn
          ? { minReturn: lessSlippage(BigInt(action.quotedReturn), action.slippageBps) }
          : {}),
      });
      return {
        output: {
          market: sold.market,
          outcome: sold.outcome,
          token: sold.collateral,
          shares: sold.sharesSold,
          amount: sold.returnAmount,
          feeAmount: sold.feeAmount,
          quotedReturn: sold.quotedReturn,
          hash: sold.hash,
          reused: sold.reused,
        },
        txHashes: sold.approvalHash ? [sold.approvalHash, sold.hash] : [sold.hash],
        cost: [await gasCost(chain, sold.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const where = `${action.outcome} in ${action.market}`;
    const done = outcome?.output as { shares?: string; amount?: string } | null | undefined;
    if (done?.shares !== undefined && done.amount !== undefined)
      return `Sold ${formatShares(done.shares, action.token)} of ${where} for ${formatAmount(done.amount, action.token)}`;
    if (outcome?.waitFor)
      return `Selling ${action.outcome} shares in ${action.market} (waiting for the chain)`;
    const what = action.shares ? formatShares(action.shares, action.token) : "all shares";
    const about = action.quotedReturn
      ? ` (≈ ${formatAmount(action.quotedReturn, action.token)})`
      : "";
    return `Sell ${what} of ${where}${about}`;
  },
};
