import type { Kysely } from "kysely";
import type { Database, RunStatus } from "../../db/database.js";
import { failRunAndStop } from "./stepErrors.js";

/**
 * Called when an approval wait times out. If a decision was stored but its wake-up was lost, the
 * run goes on (status "running"); otherwise the request expires and the run fails with that reason
 * (FatalError: the workflow run fails with it).
 */
export async function expireApprovalRequest(
  db: Kysely<Database>,
  parameters: { runId: string; index: number },
): Promise<{ status: RunStatus }> {
  const { runId, index } = parameters;
  const now = new Date();
  const expired = await db
    .updateTable("approval_requests")
    .set({ status: "expired", decided_at: now })
    .where("run_id", "=", runId)
    .where("step_index", "=", index)
    .where("status", "=", "pending")
    .returning("token")
    .executeTakeFirst();
  if (expired) {
    return failRunAndStop(db, runId, {
      code: "approval_expired",
      message: `Action ${index + 1} was not approved before its approval request expired`,
      step: index,
    });
  }
  const run = await db
    .selectFrom("runs")
    .select("status")
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  return { status: run.status === "waiting_approval" ? "running" : run.status };
}
