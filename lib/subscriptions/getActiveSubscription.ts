import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { SubscriptionInactiveError } from "./errors.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

/**
 * The session's subscription to a service that grants access right now: its paid period is not
 * over, and it is active or was cancelled during that period (cancelling stops renewals, not the
 * period already paid for). Undefined otherwise (see assertSubscriptionActive for the reason).
 */
export async function getActiveSubscription(
  db: Kysely<Database>,
  sessionId: string,
  serviceId: string,
  options: { now?: Date } = {},
): Promise<SubscriptionView | undefined> {
  const row = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("service_id", "=", serviceId)
    .where("status", "in", ["active", "cancelled"])
    .where("renewals", ">", 0)
    .where("current_period_end", ">", options.now ?? new Date())
    .orderBy("current_period_end", "desc")
    .executeTakeFirst();
  return row ? toSubscriptionView(row) : undefined;
}

/**
 * Returns the active subscription or throws SubscriptionInactiveError naming why access is
 * blocked (none, cancelled, failed renewals, expired, or first period not paid yet).
 */
export async function assertSubscriptionActive(
  db: Kysely<Database>,
  sessionId: string,
  serviceId: string,
  options: { now?: Date } = {},
): Promise<SubscriptionView> {
  const now = options.now ?? new Date();
  const active = await getActiveSubscription(db, sessionId, serviceId, { now });
  if (active) return active;
  const latest = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("service_id", "=", serviceId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (!latest) throw new SubscriptionInactiveError(sessionId, serviceId, "none");
  const end = new Date(latest.current_period_end).toISOString();
  if (latest.status === "cancelled")
    throw new SubscriptionInactiveError(sessionId, serviceId, "cancelled");
  if (latest.status === "failed")
    throw new SubscriptionInactiveError(sessionId, serviceId, "failed");
  if (latest.status === "active" && Number(latest.renewals) === 0) {
    throw new SubscriptionInactiveError(
      sessionId,
      serviceId,
      "unpaid",
      "the first period is being paid",
    );
  }
  throw new SubscriptionInactiveError(sessionId, serviceId, "expired", `paid until ${end}`);
}
