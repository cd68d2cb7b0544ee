import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { SubscriptionView } from "../subscriptionView.js";
import { releaseUnsentRenewal } from "./releaseUnsentRenewal.js";
import { renewalAttempt } from "./renewalAttempt.js";

/**
 * Gives back what the subscription's current renewal attempt reserved, when the subscription stops
 * from outside its renewal run (a cancel, its session closed) and nothing was sent yet. A renewal
 * step in flight then cannot pay: it looks at the subscription again once it has reserved
 * (renewSubscription), and a release after that look refuses its payment at the budget fence
 * (holdReservationForSend) before anything is signed. A payment already signed keeps its
 * reservation until the chain answers. Idempotent.
 */
export async function releaseCurrentRenewal(
  db: Kysely<Database>,
  subscription: SubscriptionView,
): Promise<void> {
  if (!subscription.runId) return;
  const { current } = await renewalAttempt(db, { runId: subscription.runId, subscription });
  await releaseUnsentRenewal(db, current);
}
