import type { PayIntent, TransferIntent } from "../../agent/intent.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import { paidAs } from "../format.js";
import { planPay } from "../pay/planPay.js";
import type { Draft, PlanState } from "../types.js";

/**
 * Plans a transfer: to an address, an exact amount; to a service or URL, an x402 payment with the amount as its cap. A dollar amount ("$10") says
 * which stablecoin pays it.
 */
export async function planTransfer(intent: TransferIntent, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  tokenOf(ctx, intent.token);
  if (intent.to.type !== "address") {
    // A service or URL is paid through x402, with the amount as the cap.
    const payIntent: PayIntent = {
      kind: "pay",
      ...(intent.to.type === "service" ? { service: intent.to.name } : { url: intent.to.url }),
      token: intent.token,
      maxAmount: intent.amount,
      ...(intent.usd ? { usd: intent.usd } : {}),
    };
    return planPay(payIntent, state);
  }
  const amount = show(ctx, intent.amount, intent.token);
  state.explanation.push(
    `Transfer ${amount} to ${intent.to.address}${intent.usd ? ` (${paidAs(intent.usd, amount)})` : ""}.`,
  );
  return {
    action: {
      type: "transfer",
      token: intent.token,
      amount: intent.amount,
      to: intent.to.address,
      ...(intent.usd ? { usd: intent.usd } : {}),
    },
    spend: { token: intent.token, amount: BigInt(intent.amount) },
  };
}
