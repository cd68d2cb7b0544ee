import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { SubscriptionNotFoundError } from "./errors.js";
import { releaseCurrentRenewal } from "./renewal/releaseCurrentRenewal.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

/**
 * Cancels a subscription: no further renewals (the renewal workflow stops at its next check), and a
 * renewal in flight that has not signed its payment yet never will (releaseCurrentRenewal).
 * Idempotent; a subscription that already ended keeps its final status.
 */
export async function cancelSubscription(
  db: Kysely<Database>,
  id: string,
): Promise<SubscriptionView> {
  const now = new Date();
  const cancelled = await db
    .updateTable("service_subscriptions")
    .set({ status: "cancelled", cancelled_at: now, updated_at: now })
    .where("id", "=", id)
    .where("status", "=", "active")
    .returningAll()
    .executeTakeFirst();
  if (cancelled) {
    const view = toSubscriptionView(cancelled);
    await releaseCurrentRenewal(db, view);
    return view;
  }
  const row = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new SubscriptionNotFoundError(id);
  return toSubscriptionView(row);
}
