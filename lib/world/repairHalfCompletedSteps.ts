import type pg from "pg";
import { log } from "../log.js";

/**
 * The Postgres world records a step's end in two writes that share no transaction: the step row
 * becomes `completed` (or `failed`), then the `step_completed` (`step_failed`) event is appended.
 * A host killed between the two leaves a step that is finished in its row and still running in
 * the event log. The workflow, replaying the log, queues the step again; the step refuses to start
 * because its row is finished (409) and queues the workflow again; and so on: the run never moves
 * (seen in the Postgres-world chaos run, 2026-12-02). This puts such a step back to `running` once
 * its row has been finished for `olderThanSeconds` without its event (longer than the two writes
 * ever take in a live host), so the next delivery runs it again: steps are idempotent, and ours
 * find their outcome in Paygent's books and return it, and this time both writes happen. Returns
 * how many steps were put back.
 */
export async function repairHalfCompletedSteps(
  pool: pg.Pool,
  olderThanSeconds: number,
): Promise<number> {
  const interval = `${Math.max(1, Math.floor(olderThanSeconds))} seconds`;
  const repaired = await pool.query(
    `update workflow.workflow_steps s
        set status = 'running', completed_at = null, updated_at = now()
      where s.status in ('completed', 'failed')
        and s.updated_at < now() - $1::interval
        and not exists (
          select 1 from workflow.workflow_events e
           where e.run_id = s.run_id
             and e.correlation_id = s.step_id
             and e.type in ('step_completed', 'step_failed'))`,
    [interval],
  );
  if (repaired.rowCount)
    log.warn(
      "put back steps whose end the world recorded only half (a host killed between its writes)",
      {
        count: repaired.rowCount,
      },
    );
  return repaired.rowCount ?? 0;
}
