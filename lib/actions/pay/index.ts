import { dollars, formatAmount, paidAs, shortUrl } from "../format.js";
import type { ActionModule } from "../types.js";
import { payFromModel } from "./model.js";
import { payLimit } from "./payLimit.js";
import { performPay } from "./performPay.js";
import { planPay } from "./planPay.js";
import { PayAction } from "./schema.js";

/** An x402 payment for a resource, exactly once per step (EIP-3009 nonce derived from the step id). */
export const pay: ActionModule<"pay"> = {
  type: "pay",
  schema: PayAction,
  fromModel: payFromModel,
  async plan(intent, state) {
    return planPay(intent, state);
  },
  async maxSpend(action, context) {
    return { token: action.token, amount: await payLimit(context, action) };
  },
  perform: performPay,
  describe(action, outcome) {
    const server = action.serviceName ?? shortUrl(action.url);
    const payee = action.tool ? `${action.tool.name} at ${server}` : server;
    const paid = (outcome?.output as { amount?: string } | null)?.amount;
    // The dollar figure is the cap: it reads "paid as" only for the amount it stands for.
    const usdLine = (amount: string) =>
      !action.usd
        ? ""
        : amount === action.maxAmount
          ? ` (${paidAs(action.usd, formatAmount(amount, action.token))})`
          : ` (of up to ${dollars(action.usd)}, in ${action.token})`;
    if (paid !== undefined)
      return `Paid ${formatAmount(paid, action.token)} to ${payee}${usdLine(paid)}`;
    if (outcome?.waitFor) {
      const unknown = outcome.output as { status?: string; validBefore?: string } | null;
      if (unknown?.status === "unknown" && unknown.validBefore)
        return `Paying ${payee}: settlement not proven yet; its budget stays reserved until it settles, is cancelled, or expires at ${new Date(Number(unknown.validBefore) * 1000).toISOString()}`;
      return `Paying ${payee} (waiting for settlement)`;
    }
    const probed = action.probed ? ", the price it asked when probed" : "";
    return `Pay ${formatAmount(action.maxAmount, action.token)} to ${payee}${probed}${usdLine(action.maxAmount)}`;
  },
};
