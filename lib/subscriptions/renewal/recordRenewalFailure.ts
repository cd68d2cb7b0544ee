import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { log } from "../../log.js";
import { SubscriptionNotFoundError } from "../errors.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/** Consecutive failed renewals after which a subscription is marked failed. */
export const MAX_CONSECUTIVE_RENEWAL_FAILURES = 3;

/**
 * Records a failed renewal attempt (payment refused, service down). After
 * MAX_CONSECUTIVE_RENEWAL_FAILURES in a row the subscription is marked failed and `stopped` is
 * true. Idempotent via compare-and-set on the failure count the attempt started from.
 */
export async function recordRenewalFailure(
  db: Kysely<Database>,
  parameters: {
    subscriptionId: string;
    expectedFailures: number;
    reason: string;
    maxConsecutiveFailures?: number;
  },
): Promise<{ subscription: SubscriptionView; stopped: boolean }> {
  const max = parameters.maxConsecutiveFailures ?? MAX_CONSECUTIVE_RENEWAL_FAILURES;
  const failures = parameters.expectedFailures + 1;
  const now = new Date();
  const row = await db
    .updateTable("service_subscriptions")
    .set({
      consecutive_failures: failures,
      ...(failures >= max ? { status: "failed" as const } : {}),
      updated_at: now,
    })
    .where("id", "=", parameters.subscriptionId)
    .where("status", "=", "active")
    .where("consecutive_failures", "=", parameters.expectedFailures)
    .returningAll()
    .executeTakeFirst();
  if (row) {
    log.warn("subscription renewal failed", {
      subscriptionId: parameters.subscriptionId,
      failures,
      reason: parameters.reason,
    });
  }
  const latest =
    row ??
    (await db
      .selectFrom("service_subscriptions")
      .selectAll()
      .where("id", "=", parameters.subscriptionId)
      .executeTakeFirst());
  if (!latest) throw new SubscriptionNotFoundError(parameters.subscriptionId);
  const subscription = toSubscriptionView(latest);
  return { subscription, stopped: subscription.status !== "active" };
}
