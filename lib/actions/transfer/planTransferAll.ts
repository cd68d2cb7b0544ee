import { PlanError } from "../../agent/errors.js";
import type { TransferAllIntent } from "../../agent/intent.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import type { Draft, PlanState } from "../types.js";

/**
 * "Send all my CRO to 0x…": a transfer of the whole balance. The amount is read from the chain now
 * for the budget check and the approval (which it always needs), and read again when it runs.
 */
export async function planTransferAll(intent: TransferAllIntent, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  tokenOf(ctx, intent.token);
  if (!ctx.readWholeBalance) {
    throw new PlanError(`Cannot read the ${intent.token} balance to send all of it`, {
      suggestions: [`Give an exact amount, e.g. "send 10 ${intent.token} to ${intent.to.address}"`],
    });
  }
  const whole = await ctx.readWholeBalance(intent.token);
  const amount = show(ctx, whole.amount, intent.token);
  const kept =
    whole.reserve > 0n ? `, keeping ${show(ctx, whole.reserve, intent.token)} for gas` : "";
  state.explanation.push(
    `Transfer all your ${intent.token} to ${intent.to.address}: ${amount} now${kept}; the amount is read again when it runs.`,
  );
  return {
    action: {
      type: "transfer",
      token: intent.token,
      amount: whole.amount.toString(),
      to: intent.to.address,
      all: true,
    },
    spend: { token: intent.token, amount: whole.amount },
    alwaysApprove: `Sends all your ${intent.token} (${amount} when planned${kept}); a whole balance always needs approval`,
  };
}
