import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { claimPrefix, ensureWorkflowStarted, staleClaimMs } from "./ensureWorkflowStarted.js";

/**
 * Runs accepted but never started (the process died between the commit and start()) are started
 * by the background checks, so an accepted command is never silently lost.
 */
export async function startOrphanedRuns(db: Kysely<Database>): Promise<number> {
  const cutoff = new Date(Date.now() - staleClaimMs);
  const orphans = await db
    .selectFrom("runs")
    .selectAll()
    .where("kind", "in", ["command", "x402", "transfer"]) // runs of the agentCommand workflow
    .where("status", "=", "running")
    .where((eb) =>
      eb.or([eb("workflow_run_id", "is", null), eb("workflow_run_id", "like", `${claimPrefix}%`)]),
    )
    .where("created_at", "<", cutoff)
    .limit(10)
    .execute();
  for (const run of orphans) await ensureWorkflowStarted(db, run);
  return orphans.length;
}
