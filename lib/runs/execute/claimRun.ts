import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";

/**
 * Binds the run to this workflow run. startRun claims the row before start() and records the
 * workflow id after; if another workflow already owns the run, this one is a duplicate and stops.
 */
export async function claimRun(
  db: Kysely<Database>,
  runId: string,
  workflowRunId: string,
): Promise<"ok" | "duplicate" | "failed"> {
  const row = await db
    .selectFrom("runs")
    .select(["workflow_run_id"])
    .where("id", "=", runId)
    .executeTakeFirst();
  if (!row) return "failed";
  const owner = row.workflow_run_id;
  if (owner === workflowRunId) return "ok";
  if (owner && !owner.startsWith("starting:")) return "duplicate";
  const updated = await db
    .updateTable("runs")
    .set({ workflow_run_id: workflowRunId })
    .where("id", "=", runId)
    .where((eb) =>
      owner === null ? eb("workflow_run_id", "is", null) : eb("workflow_run_id", "=", owner),
    )
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n ? "ok" : claimRun(db, runId, workflowRunId);
}
