import type { Address } from "viem";
import { transferToken } from "../../chain/transferToken.js";
import { getConfig } from "../../config.js";
import { gasCost, waitingOnChain } from "../chainOutcome.js";
import { formatAmount, paidAs, shortAddress } from "../format.js";
import { resolveWholeAmount } from "../resolveWholeAmount.js";
import type { ActionModule } from "../types.js";
import { transferFromModel } from "./model.js";
import { planTransfer } from "./planTransfer.js";
import { planTransferAll } from "./planTransferAll.js";
import { TransferAction } from "./schema.js";

/**
 * Sends CRO or an ERC-20 from the agent wallet, once per step (recorded before broadcast). A
 * whole-balance transfer (`all`) sends what the chain holds when it runs, minus a gas reserve for
 * CRO; its reservation fixes that amount for every attempt of the step.
 */
export const transfer: ActionModule<"transfer"> = {
  type: "transfer",
  schema: TransferAction,
  fromModel: transferFromModel,
  async plan(intent, state) {
    return intent.kind === "transferAll"
      ? planTransferAll(intent, state)
      : planTransfer(intent, state);
  },
  async maxSpend(action, context, options) {
    if (!action.all) return { token: action.token, amount: BigInt(action.amount) };
    const amount = await resolveWholeAmount(context, {
      token: action.token,
      stepId: options?.stepId,
    });
    return { token: action.token, amount };
  },
  perform(context, action, { stepId, spend }) {
    const { db, run, chain } = context;
    return waitingOnChain(async () => {
      const amount = action.all
        ? (spend?.amount ?? (await resolveWholeAmount(context, { token: action.token, stepId })))
        : action.amount;
      const sent = await transferToken(chain, db, {
        receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
        stepId,
        runId: run.id,
        token: action.token,
        to: action.to as Address,
        amount,
      });
      return {
        output: {
          hash: sent.hash,
          token: sent.token,
          to: sent.to,
          amount: sent.amount,
          blockNumber: sent.blockNumber,
          reused: sent.reused,
          ...(action.all ? { all: true, plannedAmount: action.amount } : {}),
        },
        txHashes: [sent.hash],
        cost: [await gasCost(chain, sent.gasCost)],
      };
    });
  },
  describe(action, outcome) {
    const to = shortAddress(action.to);
    const sent = (outcome?.output as { amount?: string } | null)?.amount;
    if (action.all) {
      if (sent !== undefined)
        return `Sent all your ${action.token}: ${formatAmount(sent, action.token)} to ${to}`;
      if (outcome?.waitFor)
        return `Sending all your ${action.token} to ${to} (waiting for the chain)`;
      return `Send all your ${action.token} to ${to} (${formatAmount(action.amount, action.token)} when planned; the balance is read again when it runs)`;
    }
    const amount = formatAmount(action.amount, action.token);
    const line = `${amount} to ${to}${action.usd ? ` (${paidAs(action.usd, amount)})` : ""}`;
    if (outcome?.waitFor) return `Sending ${line} (waiting for the chain)`;
    return outcome ? `Sent ${line}` : `Send ${line}`;
  },
};
