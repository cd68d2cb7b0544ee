import type { Kysely } from "kysely";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/index.js";
import { SubscriptionNotFoundError } from "../errors.js";
import { nextRenewal, type SubscriptionPeriod } from "../nextRenewal.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/**
 * Records a paid renewal: extends the paid period by one period from the later of the old end
 * and now (a late renewal never charges for time already past), counts it, and clears the
 * failure streak. Idempotent: compare-and-set on the period end the decision was made with,
 * so a retried step does not extend twice (`recorded` is false then).
 */
export async function recordRenewal(
  db: Kysely<Database>,
  parameters: { subscriptionId: string; expectedPeriodEnd: string; now?: Date },
): Promise<{ subscription: SubscriptionView; recorded: boolean }> {
  const now = parameters.now ?? new Date();
  const expected = new Date(parameters.expectedPeriodEnd);
  const current = await db
    .selectFrom("service_subscriptions")
    .select(["period"])
    .where("id", "=", parameters.subscriptionId)
    .executeTakeFirst();
  if (!current) throw new SubscriptionNotFoundError(parameters.subscriptionId);
  const from = expected > now ? expected : now;
  const row = await db
    .updateTable("service_subscriptions")
    .set((eb) => ({
      current_period_end: periodEnd(current.period, from),
      renewals: eb("renewals", "+", 1),
      consecutive_failures: 0,
      updated_at: now,
    }))
    .where("id", "=", parameters.subscriptionId)
    .where("current_period_end", "=", expected)
    // A cancel that raced the payment still gets the period it paid for.
    .where("status", "in", ["active", "cancelled"])
    .returningAll()
    .executeTakeFirst();
  if (row) return { subscription: toSubscriptionView(row), recorded: true };
  const latest = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("id", "=", parameters.subscriptionId)
    .executeTakeFirstOrThrow();
  return { subscription: toSubscriptionView(latest), recorded: false };
}

/** The end of the period paid from `from`: the real period, or the devnet's short one. */
function periodEnd(period: SubscriptionPeriod, from: Date): Date {
  const config = getConfig();
  const seconds = config.DEVNET_SUBSCRIPTION_PERIOD_SECONDS;
  if (seconds !== undefined && config.PAYGENT_NETWORK === "devnet") {
    return new Date(from.getTime() + seconds * 1000);
  }
  return nextRenewal(period, from);
}
