import { getConfig } from "../../config.js";
import { redeemPositions } from "../../markets/redeemPositions.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount } from "../format.js";
import type { ActionModule } from "../types.js";
import { redeemFromModel } from "./model.js";
import { planRedeem } from "./planRedeem.js";
import { RedeemAction } from "./schema.js";

/** Redeems a resolved market's positions (ConditionalTokens.redeemPositions), once per step. */
export const redeem: ActionModule<"redeem"> = {
  type: "redeem",
  schema: RedeemAction,
  fromModel: redeemFromModel,
  plan: planRedeem,
  async maxSpend() {
    // Redeeming burns shares and pays collateral: nothing leaves the wallet beyond gas.
    return undefined;
  },
  perform({ db, run, chain }, action, { stepId }) {
    return waitingOnChain(async () => {
      const redeemed = await redeemPositions(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        market: action.market,
      });
      return {
        output: {
          market: redeemed.market,
          token: redeemed.collateral,
          amount: redeemed.payout,
          expectedPayout: redeemed.expectedPayout,
          redeemed: redeemed.redeemed,
          hash: redeemed.hash,
          reused: redeemed.reused,
        },
        txHashes: [redeemed.hash],
        cost: [await gasCost(chain, redeemed.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const paid = (outcome?.output as { amount?: string } | null)?.amount;
    if (paid !== undefined)
      return `Redeemed ${action.market} for ${formatAmount(paid, action.token)}`;
    if (outcome?.waitFor) return `Redeeming ${action.market} (waiting for the chain)`;
    const about = action.expectedPayout
      ? ` (≈ ${formatAmount(action.expectedPayout, action.token)})`
      : "";
    return `Redeem ${action.market}${about}`;
  },
};
