import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import type { ServiceView } from "../../registry/serviceView.js";
import { toServiceView } from "../../registry/serviceView.js";
import { SubscriptionNotFoundError } from "../errors.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/** What the renewal workflow should do next. */
export type RenewalDecision =
  | { action: "renew"; subscription: SubscriptionView; service: ServiceView }
  | { action: "wait"; subscription: SubscriptionView; until: string }
  | { action: "stop"; subscription: SubscriptionView; reason: string };

/**
 * Reads the subscription and decides: stop (cancelled, ended, service or session gone), wait
 * until the paid period ends, or renew now (the period is over and the subscription active).
 */
export async function loadSubscriptionForRenewal(
  db: Kysely<Database>,
  subscriptionId: string,
  options: { now?: Date } = {},
): Promise<RenewalDecision> {
  const row = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("id", "=", subscriptionId)
    .executeTakeFirst();
  if (!row) throw new SubscriptionNotFoundError(subscriptionId);
  const subscription = toSubscriptionView(row);
  if (row.status !== "active") {
    return { action: "stop", subscription, reason: `subscription is ${row.status}` };
  }
  const session = await db
    .selectFrom("agent_sessions")
    .select("status")
    .where("id", "=", row.session_id)
    .executeTakeFirst();
  if (!session || session.status === "closed") {
    return { action: "stop", subscription, reason: "session is closed" };
  }
  const now = options.now ?? new Date();
  if (new Date(row.current_period_end) > now) {
    return { action: "wait", subscription, until: subscription.currentPeriodEnd };
  }
  const service = await db
    .selectFrom("services")
    .selectAll()
    .where("id", "=", row.service_id)
    .executeTakeFirst();
  if (!service) return { action: "stop", subscription, reason: "service no longer exists" };
  return { action: "renew", subscription, service: toServiceView(service) };
}
