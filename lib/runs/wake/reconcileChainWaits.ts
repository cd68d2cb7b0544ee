import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { wakeRun } from "./wakeRun.js";
import { type ChainWake, wakeTokens } from "./wakes.js";

/**
 * Safety net for lost chain wake-ups: runs still waiting on a transaction the watcher has already
 * settled (the hook was not registered yet, or the host died before resuming it) are woken again.
 * Only the wait a step is in: a run's earlier transactions (its approval, once the step waits on
 * its swap; an earlier action's) already woke theirs.
 */
export async function reconcileChainWaits(db: Kysely<Database>): Promise<number> {
  const cutoff = new Date(Date.now() - 3000);
  const stuck = await db
    .selectFrom("chain_transactions")
    .innerJoin("runs", "runs.id", "chain_transactions.run_id")
    .innerJoin("run_steps", "run_steps.run_id", "runs.id")
    .select(["chain_transactions.hash", "chain_transactions.status", "runs.workflow_run_id"])
    .where("runs.status", "=", "waiting_event")
    .where("run_steps.status", "=", "waiting_event")
    .where(
      sql<string>`run_steps.output -> 'waitFor' ->> 'token'`,
      "=",
      sql<string>`'chain:' || lower(chain_transactions.hash)`,
    )
    .where("chain_transactions.status", "in", ["confirmed", "reverted", "dropped"])
    .where("chain_transactions.updated_at", "<", cutoff)
    .limit(20)
    .execute();
  let woke = 0;
  for (const row of stuck) {
    if (!row.workflow_run_id || row.workflow_run_id.startsWith("starting:")) continue;
    const wake: ChainWake = {
      kind: "chain",
      hash: row.hash,
      status: row.status as ChainWake["status"],
    };
    if (await wakeRun(row.workflow_run_id, wakeTokens.chain(row.hash), wake, { waitMs: 0 })) woke++;
  }
  return woke;
}
