import { lookupService } from "../../agent/planning/lookupService.js";
import { cancelSubscription } from "../../subscriptions/cancelSubscription.js";
import { findActiveSubscriptionId } from "../../subscriptions/findActiveSubscriptionId.js";
import type { ActionModule } from "../types.js";
import { unsubscribeFromModel } from "./model.js";
import { UnsubscribeAction } from "./schema.js";

/** Cancels the session's active subscription to a service (the paid period is kept). */
export const unsubscribe: ActionModule<"unsubscribe"> = {
  type: "unsubscribe",
  schema: UnsubscribeAction,
  fromModel: unsubscribeFromModel,
  async plan(intent, state) {
    const service = await lookupService(state.context, intent.service);
    state.explanation.push(`Cancel the subscription to ${service.name}.`);
    return {
      action: { type: "unsubscribe", serviceId: service.id, serviceName: service.name },
    };
  },
  async maxSpend() {
    return undefined;
  },
  async perform({ db, run }, action) {
    const activeId = await findActiveSubscriptionId(db, run.session_id, action.serviceId);
    if (!activeId)
      return { output: { cancelled: false, reason: "no active subscription" }, cost: [] };
    return {
      output: { cancelled: true, subscription: await cancelSubscription(db, activeId) },
      cost: [],
    };
  },
  describe(action, outcome) {
    const name = action.serviceName ?? action.serviceId;
    const output = outcome?.output as { cancelled?: boolean } | null | undefined;
    if (output?.cancelled === true) return `Cancelled the subscription to ${name}`;
    if (output?.cancelled === false) return `No active subscription to ${name} to cancel`;
    return `Cancel the subscription to ${name}`;
  },
};
