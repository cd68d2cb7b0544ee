/**
 * Subscription renewal, in one place: the step body (renewSubscription) and the database
 * operations it is made of. The barrel leaves the step body out (it pulls in x402 and the run
 * machinery); import it from ./renewSubscription.js.
 */
export * from "./attachRenewalRun.js";
export * from "./endSubscription.js";
export * from "./loadSubscriptionForRenewal.js";
export * from "./recordRenewal.js";
export * from "./recordRenewalFailure.js";
export * from "./renewalReservationKey.js";
