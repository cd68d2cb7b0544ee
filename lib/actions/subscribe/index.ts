import { lookupService } from "../../agent/planning/lookupService.js";
import { show } from "../../agent/planning/tokens.js";
import { valueUsd } from "../../agent/planning/valueUsd.js";
import { wakeTokens } from "../../runs/wake/wakes.js";
import { startSubscription } from "../../subscriptions/startSubscription.js";
import { PaymentUnknownError } from "../../x402/errors.js";
import type { ActionModule } from "../types.js";
import { usdValue } from "../usdValue.js";
import { subscribeFromModel } from "./model.js";
import { SubscribeAction } from "./schema.js";

/** Pays a service's first period through x402 and starts its durable renewal run. */
export const subscribe: ActionModule<"subscribe"> = {
  type: "subscribe",
  schema: SubscribeAction,
  fromModel: subscribeFromModel,
  async plan(intent, state) {
    const ctx = state.context;
    const service = await lookupService(ctx, intent.service);
    const price = show(ctx, service.price.amount, service.price.token);
    state.explanation.push(`Subscribe to ${service.name} ${intent.period} at ${price}.`);
    return {
      action: {
        type: "subscribe",
        serviceId: service.id,
        serviceName: service.name,
        period: intent.period,
      },
      usd: await valueUsd(ctx, service.price.token, BigInt(service.price.amount)),
      movesMoney: true,
      reason: `${price} per ${intent.period.replace("ly", "").replace("dai", "day")}`,
    };
  },
  /** The first period costs the service's price. */
  async maxSpend(action, { db }) {
    const service = await db
      .selectFrom("services")
      .select(["price_amount", "price_asset"])
      .where("id", "=", action.serviceId)
      .executeTakeFirst();
    if (!service) return undefined;
    return { token: service.price_asset, amount: BigInt(service.price_amount) };
  },
  async perform({ db, run, chain }, action, { stepId, index, spend, checkPayee }) {
    try {
      const started = await startSubscription(db, {
        run,
        stepId,
        stepIndex: index,
        serviceId: action.serviceId,
        period: action.period,
        // What was reserved: a price raised in the catalogue since is refused unsigned.
        maxAmount: spend?.amount,
        checkPayee,
      });
      const usd = await usdValue(chain, started.token, started.amount);
      return {
        output: started,
        txHashes: started.transaction ? [started.transaction] : [],
        // The first period as paid, like a pay action: the 402 may ask less than the catalogue.
        cost: [
          {
            kind: "x402",
            unit: started.token,
            amount: started.amount,
            ...(usd ? { usd } : {}),
            detail: `subscription ${action.serviceName ?? action.serviceId}, first period`,
          },
        ],
        spent: { amount: BigInt(started.amount) },
      };
    } catch (error) {
      // An unproven first payment keeps its reservation and waits, like a pay action (issue 14).
      if (!(error instanceof PaymentUnknownError)) throw error;
      return {
        output: { paymentId: error.paymentId, status: "unknown" },
        cost: [],
        waitFor: { token: wakeTokens.payment(error.nonce) },
      };
    }
  },
  describe(action, outcome) {
    const name = action.serviceName ?? action.serviceId;
    const paidUntil = (outcome?.output as { subscription?: { currentPeriodEnd?: string } } | null)
      ?.subscription?.currentPeriodEnd;
    if (paidUntil) return `Subscribed to ${name} (${action.period}), paid until ${paidUntil}`;
    return `Subscribe to ${name} (${action.period})`;
  },
};
