import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { log } from "../log.js";
import type { ServiceView } from "../registry/serviceView.js";
import { toServiceView } from "../registry/serviceView.js";
import { SubscriptionNotFoundError } from "./errors.js";
import { nextRenewal } from "./nextRenewal.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

/**
 * Step bodies of the durable renewal workflow, as plain functions: the workflow only
 * orchestrates (load → wait or pay → record) and every function here is safe to retry.
 *
 *   loop:
 *     d = loadSubscriptionForRenewal(id)
 *     stop  → return d.reason
 *     wait  → sleep(d.until)
 *     renew → reserveBudget(renewalReservationKey(d.subscription), d.service.price)
 *               refused → endSubscription(id, "expired", reason); return
 *             pay d.service.endpoint via x402
 *               ok   → settleBudget; recordRenewal(id, d.subscription.currentPeriodEnd)
 *               fail → releaseBudget; recordRenewalFailure(id, d.subscription.consecutiveFailures)
 *                        stopped → return; else sleep(RENEWAL_RETRY_DELAY_SECONDS)
 */

/** Consecutive failed renewals after which a subscription is marked failed. */
export const MAX_CONSECUTIVE_RENEWAL_FAILURES = 3;
/** Pause before retrying a failed renewal. */
export const RENEWAL_RETRY_DELAY_SECONDS = 15 * 60;

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

/**
 * The budget reservation of one renewal: one ledger row per renewal, so a retried step reserves
 * once. Keyed by the subscription's run when it has one.
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

/** Links the subscription to the run that renews it. */
export async function attachRenewalRun(
  db: Kysely<Database>,
  subscriptionId: string,
  runId: string,
): Promise<SubscriptionView> {
  const row = await db
    .updateTable("service_subscriptions")
    .set({ run_id: runId, updated_at: new Date() })
    .where("id", "=", subscriptionId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new SubscriptionNotFoundError(subscriptionId);
  return toSubscriptionView(row);
}

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
      current_period_end: nextRenewal(current.period, from),
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
