import type { SubscriptionView } from "../subscriptionView.js";

/**
 * The budget reservation of one renewal: one ledger row per renewal, so a retried step reserves
 * once. Keyed by the subscription's run when it has one. Its ledgerId is also the id of the
 * renewal's policy window reservation (gateRenewal), so both are replayed and booked together.
 */
export function renewalReservationKey(subscription: SubscriptionView): {
  runId: string;
  stepIndex: number;
} {
  return {
    runId: subscription.runId ?? `sub:${subscription.id}`,
    stepIndex: subscription.renewals,
  };
}
