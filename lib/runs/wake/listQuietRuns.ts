import type { Kysely } from "kysely";
import type { Database, RunStatus } from "../../db/database.js";

/** A run row whose workflow a reconciler may look up. */
export interface QuietRun {
  id: string;
  workflowRunId: string;
}

/**
 * Run rows in `statuses` whose workflow has been started and that have not changed since `before`,
 * in id order after `after`, at most `limit`: one page of a reconciler's round-robin pass. Returns
 * the page and the cursor of the next pass ("" to start over), so long waits do not starve newer
 * rows.
 */
export async function listQuietRuns(
  db: Kysely<Database>,
  options: { statuses: readonly RunStatus[]; before: Date; after: string; limit: number },
): Promise<{ runs: QuietRun[]; next: string }> {
  const rows = await db
    .selectFrom("runs")
    .select(["id", "workflow_run_id"])
    .where("status", "in", options.statuses)
    .where("workflow_run_id", "is not", null)
    .where("workflow_run_id", "not like", "starting:%")
    .where("updated_at", "<", options.before)
    .where("id", ">", options.after)
    .orderBy("id")
    .limit(options.limit)
    .execute();
  return {
    runs: rows.map((row) => ({ id: row.id, workflowRunId: row.workflow_run_id! })),
    next: rows.length < options.limit ? "" : rows.at(-1)!.id,
  };
}
