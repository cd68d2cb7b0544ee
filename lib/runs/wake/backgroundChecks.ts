import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { deliverDueNotifications } from "../../notifications/index.js";
import { startOrphanedRuns } from "../start/startOrphanedRuns.js";
import { finishEndedRuns } from "./finishEndedRuns.js";
import { reconcileApprovals } from "./reconcileApprovals.js";
import { reconcileChainWaits } from "./reconcileChainWaits.js";
import { watchChain } from "./watchChain.js";

/** The periodic work: the chain watcher and the approval reconciler (cron on Vercel, an interval locally). */
export async function runBackgroundChecks(db: Kysely<Database>) {
  const chain = await watchChain(db);
  const approvalsWoken = await reconcileApprovals(db);
  const orphansStarted = await startOrphanedRuns(db);
  const chainWaitsWoken = await reconcileChainWaits(db);
  // Rows whose workflow ended without finishing them (retries spent, a crash for good).
  const endedRuns = await finishEndedRuns(db);
  // Signed outbound webhooks (issue 13): due deliveries and retries with backoff.
  const notifications = await deliverDueNotifications(db);
  return { chain, approvalsWoken, orphansStarted, chainWaitsWoken, endedRuns, notifications };
}
