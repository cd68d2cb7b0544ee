import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { log } from "../../log.js";
import { SubscriptionNotFoundError } from "../errors.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/**
 * Ends an active subscription that cannot go on: "expired" when the budget cannot pay the next
 * period, "failed" for errors a retry cannot fix. Idempotent; other statuses are kept.
 */
export async function endSubscription(
  db: Kysely<Database>,
  parameters: { subscriptionId: string; status: "expired" | "failed"; reason: string },
): Promise<SubscriptionView> {
  const row = await db
    .updateTable("service_subscriptions")
    .set({ status: parameters.status, updated_at: new Date() })
    .where("id", "=", parameters.subscriptionId)
    .where("status", "=", "active")
    .returningAll()
    .executeTakeFirst();
  if (row) {
    log.info("subscription ended", {
      subscriptionId: parameters.subscriptionId,
      status: parameters.status,
      reason: parameters.reason,
    });
    return toSubscriptionView(row);
  }
  const latest = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("id", "=", parameters.subscriptionId)
    .executeTakeFirst();
  if (!latest) throw new SubscriptionNotFoundError(parameters.subscriptionId);
  return toSubscriptionView(latest);
}
