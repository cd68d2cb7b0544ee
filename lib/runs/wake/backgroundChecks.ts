import type { Kysely } from "kysely";
import { observePools } from "../../chain/averages/observePools.js";
import { getChainContext } from "../../chain/clients.js";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { deliverDueNotifications } from "../../notifications/index.js";
import { samplePrices } from "../../policy/prices/samplePrices.js";
import { resolveUnknownPayments } from "../../x402/resolveUnknownPayments.js";
import { startOrphanedRuns } from "../start/startOrphanedRuns.js";
import { finishEndedRuns } from "./finishEndedRuns.js";
import { reconcileApprovals } from "./reconcileApprovals.js";
import { reconcileChainWaits } from "./reconcileChainWaits.js";
import { reconcilePaymentWaits } from "./reconcilePaymentWaits.js";
import { resumeStalledRuns } from "./resumeStalledRuns.js";
import { wakePaymentWait } from "./wakePaymentWait.js";
import { watchChain } from "./watchChain.js";

/** A named periodic check; its result is reported under its name. */
export type BackgroundCheck = (db: Kysely<Database>) => Promise<unknown>;

/** The periodic checks, in order, each named by what it reports. */
const checks: Record<string, BackgroundCheck> = {
  chain: watchChain,
  approvalsWoken: reconcileApprovals,
  orphansStarted: startOrphanedRuns,
  chainWaitsWoken: reconcileChainWaits,
  // Rows whose workflow ended without finishing them (retries spent, a crash for good).
  endedRuns: finishEndedRuns,
  // Runs whose workflow lost a queue message (nothing in flight, nothing to wait on).
  stalledRuns: (db) => {
    const config = getConfig();
    return resumeStalledRuns(db, {
      quietMs: config.STALLED_RUN_SECONDS * 1000,
      stepDeadlineMs: config.STEP_DEADLINE_SECONDS * 1000,
    });
  },
  // Signed outbound webhooks (issue 13): due deliveries and retries with backoff.
  notifications: deliverDueNotifications,
  // hostile (issue 14): unknown payments resolved from the chain, booked, and their runs woken.
  // Orphaned sends are adopted only after 10 min, so a crashed step's own retry normally wins.
  payments: (db) => {
    const context = getChainContext();
    return resolveUnknownPayments({
      db,
      publicClient: context.publicClient,
      chain: context,
      staleAfterSeconds: 600,
      onResolved: (payment) => wakePaymentWait(db, payment),
    });
  },
  paymentWaitsWoken: reconcilePaymentWaits,
  // Pool prices remembered for policy checks (chainPricer), once a minute at most.
  pricesMarked: (db) =>
    samplePrices(db, {
      chain: getChainContext(),
      windowHours: getConfig().POLICY_PRICE_WINDOW_HOURS,
    }),
  // The pairs' oracles, so a swap can compare the pool with its recent average (once a minute).
  poolsObserved: async (db) =>
    getConfig().SWAP_AVERAGE_MINUTES > 0 ? observePools(db, { chain: getChainContext() }) : null,
};

/**
 * The periodic work (cron on Vercel, an interval locally): the chain watcher, the reconcilers and
 * the safety nets, each reported under its name (see runChecks).
 */
export function runBackgroundChecks(db: Kysely<Database>): Promise<Record<string, unknown>> {
  return runChecks(db, checks);
}

/**
 * Runs `toRun` in order, each on its own: one that fails (an RPC outage stops the chain watcher)
 * is logged and listed under `failed`, and the others still run. The checks that do not need the
 * chain (lost approvals, orphaned and stalled runs) matter most during exactly such an outage.
 */
export async function runChecks(
  db: Kysely<Database>,
  toRun: Record<string, BackgroundCheck>,
): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const [name, check] of Object.entries(toRun)) {
    try {
      results[name] = await check(db);
    } catch (error) {
      failed.push(name);
      log.warn("a background check failed", { check: name, error });
    }
  }
  return { ...results, failed };
}
