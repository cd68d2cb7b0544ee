import type { SubscriptionView } from "../subscriptionView.js";

/**
 * How far apart the reservation step indexes of one renewal's attempts are: attempt `a` of the
 * renewal numbered `r` reserves under `r + a * RENEWAL_ATTEMPT_STRIDE` (attempt 0 under `r`, as
 * before attempts existed). A renewal has at most a few attempts (three failures in a row stop
 * the subscription), so the indexes never meet.
 */
export const RENEWAL_ATTEMPT_STRIDE = 1_000_000;

/**
 * The budget reservation of one attempt of a renewal: one ledger row per attempt, so a retried
 * step reserves once. Keyed by the subscription's run when it has one. Its ledgerId is also the id
 * of the attempt's policy window reservation (gateRenewal), so both are replayed and booked
 * together. A new attempt starts only when the previous one's payment can never execute (its
 * authorization cancelled on chain or expired unused: renewalAttempt), so it gets reservations of
 * its own instead of replaying ones a late booking may already have released.
 */
export function renewalReservationKey(
  subscription: SubscriptionView,
  attempt = 0,
): {
  runId: string;
  stepIndex: number;
} {
  return {
    runId: subscription.runId ?? `sub:${subscription.id}`,
    stepIndex: subscription.renewals + attempt * RENEWAL_ATTEMPT_STRIDE,
  };
}
