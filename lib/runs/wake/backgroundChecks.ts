import type { Kysely } from "kysely";
import { getChainContext } from "../../chain/clients.js";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { deliverDueNotifications } from "../../notifications/index.js";
import { resolveUnknownPayments } from "../../x402/resolveUnknownPayments.js";
import { startOrphanedRuns } from "../start/startOrphanedRuns.js";
import { finishEndedRuns } from "./finishEndedRuns.js";
import { reconcileApprovals } from "./reconcileApprovals.js";
import { reconcileChainWaits } from "./reconcileChainWaits.js";
import { reconcilePaymentWaits } from "./reconcilePaymentWaits.js";
import { resumeStalledRuns } from "./resumeStalledRuns.js";
import { wakePaymentWait } from "./wakePaymentWait.js";
import { watchChain } from "./watchChain.js";

/** The periodic work: the chain watcher and the approval reconciler (cron on Vercel, an interval locally). */
export async function runBackgroundChecks(db: Kysely<Database>) {
  const chain = await watchChain(db);
  const approvalsWoken = await reconcileApprovals(db);
  const orphansStarted = await startOrphanedRuns(db);
  const chainWaitsWoken = await reconcileChainWaits(db);
  // Rows whose workflow ended without finishing them (retries spent, a crash for good).
  const endedRuns = await finishEndedRuns(db);
  // Runs whose workflow continuation was lost (nothing in flight, nothing to wait on).
  const stalledRuns = await resumeStalledRuns(db, {
    quietMs: getConfig().STALLED_RUN_SECONDS * 1000,
  });
  // Signed outbound webhooks (issue 13): due deliveries and retries with backoff.
  const notifications = await deliverDueNotifications(db);
  // hostile (issue 14): unknown payments resolved from the chain, booked, and their runs woken.
  // Orphaned sends are adopted only after 10 min, so a crashed step's own retry normally wins.
  const context = getChainContext();
  const payments = await resolveUnknownPayments({
    db,
    publicClient: context.publicClient,
    chain: context,
    staleAfterSeconds: 600,
    onResolved: (payment) => wakePaymentWait(db, payment),
  });
  const paymentWaitsWoken = await reconcilePaymentWaits(db);
  return {
    chain,
    approvalsWoken,
    orphansStarted,
    chainWaitsWoken,
    endedRuns,
    stalledRuns,
    notifications,
    payments,
    paymentWaitsWoken,
  };
}
