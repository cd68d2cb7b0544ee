import type { Kysely } from "kysely";
import type { Database, Run } from "../../db/database.js";
import { readRun } from "../runState.js";

/** The run, when this workflow owns it; else why the step stops. */
export type RunClaim = { status: "ok"; run: Run } | { status: "duplicate" | "failed" };

/**
 * Binds the run to this workflow run. startRun claims the row before start() and records the
 * workflow id after; if another workflow already owns the run, this one is a duplicate and stops.
 * Returns the whole row it read (or claimed), so the parse step does not read it again.
 */
export async function claimRun(
  db: Kysely<Database>,
  runId: string,
  workflowRunId: string,
): Promise<RunClaim> {
  const row = await readRun(db, runId);
  if (!row) return { status: "failed" };
  const owner = row.workflow_run_id;
  if (owner === workflowRunId) return { status: "ok", run: row };
  if (owner && !owner.startsWith("starting:")) return { status: "duplicate" };
  const claimed = await db
    .updateTable("runs")
    .set({ workflow_run_id: workflowRunId })
    .where("id", "=", runId)
    .where((eb) =>
      owner === null ? eb("workflow_run_id", "is", null) : eb("workflow_run_id", "=", owner),
    )
    .returningAll()
    .executeTakeFirst();
  return claimed ? { status: "ok", run: claimed } : claimRun(db, runId, workflowRunId);
}
