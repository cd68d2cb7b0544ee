import type { Kysely } from "kysely";
import type { Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { log } from "../../log.js";
import { startAgentCommandWorkflow } from "./workflows.js";

/** Marks a run whose workflow is being started; claims older than this may be retried. */
export const claimPrefix = "starting:";
export const staleClaimMs = 30_000;

/**
 * Starts the workflow unless it already runs. Only the caller that claims the row starts it, so
 * concurrent retries never start two workflows for one run. A crash between the insert and
 * start() leaves an unclaimed (or stale) row; the client's retry with the same key starts it then.
 */
export async function ensureWorkflowStarted(db: Kysely<Database>, run: Run): Promise<Run> {
  const current = run.workflow_run_id;
  if (current && !(current.startsWith(claimPrefix) && isStale(current))) return run;
  const claim = `${claimPrefix}${Date.now()}`;
  const claimed = await db
    .updateTable("runs")
    .set({ workflow_run_id: claim })
    .where("id", "=", run.id)
    .where((eb) =>
      current === null ? eb("workflow_run_id", "is", null) : eb("workflow_run_id", "=", current),
    )
    .returning("id")
    .executeTakeFirst();
  if (!claimed) return run;
  return startClaimed(db, run, claim);
}

/** Starts the workflow of a run this caller has claimed, then records the workflow's id. */
export async function startClaimed(db: Kysely<Database>, run: Run, claim: string): Promise<Run> {
  const workflowRunId = await startAgentCommandWorkflow(run.id);
  const [updated] = await recordWorkflowId(db, {
    runId: run.id,
    workflowRunId,
    claim,
    now: new Date(),
  });
  // The run's first step may already have recorded its own id (it checks the claim too).
  if (!updated) log.debug("workflow id was recorded by the run itself first", { runId: run.id });
  return updated ?? { ...run, workflow_run_id: workflowRunId };
}

// Prepared (see prepareQuery): every accepted run records its workflow id here.
const recordWorkflowId = prepareQuery(
  "recordWorkflowId",
  (db, p: { runId: string; workflowRunId: string; claim: string; now: Date }) =>
    db
      .updateTable("runs")
      .set({ workflow_run_id: p.workflowRunId, started_at: p.now })
      .where("id", "=", p.runId)
      .where("workflow_run_id", "=", p.claim)
      .returningAll(),
);

function isStale(claim: string): boolean {
  return Date.now() - Number(claim.slice(claimPrefix.length)) > staleClaimMs;
}
