import { getConfig } from "../../config.js";
import { buyOutcome } from "../../markets/buyOutcome.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount } from "../format.js";
import { formatShares } from "../markets.js";
import type { ActionModule } from "../types.js";
import { betFromModel } from "./model.js";
import { planBet } from "./planBet.js";
import { BetAction } from "./schema.js";

/**
 * A bet on a prediction market (FPMM buy), once per step: the collateral approval and the buy are
 * recorded before broadcast, so a retried step finds them instead of buying twice.
 */
export const bet: ActionModule<"bet"> = {
  type: "bet",
  schema: BetAction,
  fromModel: betFromModel,
  plan: planBet,
  async maxSpend(action) {
    // The collateral is the whole spend: the fee comes out of it and nothing else leaves the wallet.
    return { token: action.token, amount: BigInt(action.amount) };
  },
  perform({ db, run, chain }, action, { stepId }) {
    return waitingOnChain(async () => {
      const bought = await buyOutcome(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        market: action.market,
        outcome: action.outcome,
        amount: action.amount,
        slippageBps: action.slippageBps,
        // The plan's floor binds the market maker too (the higher of it and a fresh quote's).
        ...(action.minShares ? { minShares: action.minShares } : {}),
      });
      return {
        output: {
          market: bought.market,
          outcome: bought.outcome,
          token: bought.collateral,
          amount: bought.investmentAmount,
          feeAmount: bought.feeAmount,
          shares: bought.sharesBought,
          expectedShares: bought.expectedShares,
          minShares: bought.minShares,
          positionId: bought.positionId,
          hash: bought.hash,
          reused: bought.reused,
        },
        txHashes: bought.approvalHash ? [bought.approvalHash, bought.hash] : [bought.hash],
        cost: [await gasCost(chain, bought.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const stake = formatAmount(action.amount, action.token);
    const where = `${action.outcome} in ${action.market}`;
    const shares = (outcome?.output as { shares?: string } | null)?.shares;
    if (shares !== undefined)
      return `Bet ${stake} on ${where}: ${formatShares(shares, action.token)}`;
    if (outcome?.waitFor) return `Betting ${stake} on ${where} (waiting for the chain)`;
    const about = action.expectedShares
      ? ` (≈ ${formatShares(action.expectedShares, action.token)})`
      : "";
    return `Bet ${stake} on ${where}${about}`;
  },
};
