import type { Address } from "viem";
import type { PayIntent } from "../../agent/intent.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import { transferToken } from "../../chain/transferToken.js";
import { getConfig } from "../../config.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount, shortAddress } from "../format.js";
import { planPay } from "../pay/planPay.js";
import type { ActionModule } from "../types.js";
import { transferFromModel } from "./model.js";
import { TransferAction } from "./schema.js";

/** Sends CRO or an ERC-20 from the agent wallet, once per step (recorded before broadcast). */
export const transfer: ActionModule<"transfer"> = {
  type: "transfer",
  schema: TransferAction,
  fromModel: transferFromModel,
  async plan(intent, state) {
    const ctx = state.context;
    tokenOf(ctx, intent.token);
    if (intent.to.type !== "address") {
      // A service or URL is paid through x402, with the amount as the cap.
      const payIntent: PayIntent = {
        kind: "pay",
        ...(intent.to.type === "service" ? { service: intent.to.name } : { url: intent.to.url }),
        token: intent.token,
        maxAmount: intent.amount,
      };
      return planPay(payIntent, state);
    }
    state.explanation.push(
      `Transfer ${show(ctx, intent.amount, intent.token)} to ${intent.to.address}.`,
    );
    return {
      action: {
        type: "transfer",
        token: intent.token,
        amount: intent.amount,
        to: intent.to.address,
      },
      spend: { token: intent.token, amount: BigInt(intent.amount) },
    };
  },
  async maxSpend(action) {
    return { token: action.token, amount: BigInt(action.amount) };
  },
  perform({ db, run, chain }, action, { stepId }) {
    return waitingOnChain(async () => {
      const sent = await transferToken(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        token: action.token,
        to: action.to as Address,
        amount: action.amount,
      });
      return {
        output: {
          hash: sent.hash,
          token: sent.token,
          to: sent.to,
          amount: sent.amount,
          blockNumber: sent.blockNumber,
          reused: sent.reused,
        },
        txHashes: [sent.hash],
        cost: [await gasCost(chain, sent.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const line = `${formatAmount(action.amount, action.token)} to ${shortAddress(action.to)}`;
    if (outcome?.waitFor) return `Sending ${line} (waiting for the chain)`;
    return outcome ? `Sent ${line}` : `Send ${line}`;
  },
};
