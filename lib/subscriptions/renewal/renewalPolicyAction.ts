import type { NetworkName } from "../../config.js";
import { hostOf } from "../../policy/hostOf.js";
import type { PolicyAction } from "../../policy/types.js";
import type { ServiceView } from "../../registry/serviceView.js";
import type { SubscriptionView } from "../subscriptionView.js";

/**
 * One renewal in the policy's terms. Type "subscribe": a renewal is the subscription paying on,
 * so a policy that no longer allows subscriptions stops it. Its payee is every identifier the gate
 * knows before the 402 (the service id and its endpoint's host, as a pay action to a catalogue
 * service names it), so counterparty rules on either apply.
 */
export function renewalPolicyAction(parameters: {
  subscription: SubscriptionView;
  service: ServiceView;
  network: NetworkName;
  /** Token symbol the renewal pays in. */
  token: string;
  amount: bigint;
}): PolicyAction {
  const { subscription, service } = parameters;
  // The registry validates endpoints; without a host the service id still identifies the payee.
  const host = hostOf(service.endpoint);
  const counterparty: NonNullable<PolicyAction["counterparty"]> = {
    serviceId: service.id,
    ...(host ? { host } : {}),
  };
  return {
    type: "subscribe",
    network: parameters.network,
    spend: { token: parameters.token, amount: parameters.amount },
    counterparty,
    summary: `renewal ${subscription.renewals} of ${service.name} (${subscription.period})`,
  };
}
