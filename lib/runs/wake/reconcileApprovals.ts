import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { wakeRun } from "./wakeRun.js";
import type { ApprovalWake } from "./wakes.js";

/**
 * Safety net for lost wake-ups: a decision is stored before its hook is resumed, so if the resume
 * failed (the host died in between, or the hook was not registered yet), the run would wait for its
 * timeout. This finds decided approvals whose run still waits and resumes them again.
 */
export async function reconcileApprovals(
  db: Kysely<Database>,
  options: { olderThanMs?: number } = {},
): Promise<number> {
  const cutoff = new Date(Date.now() - (options.olderThanMs ?? 3000));
  const stuck = await db
    .selectFrom("approval_requests")
    .innerJoin("runs", "runs.id", "approval_requests.run_id")
    .select(["approval_requests.token", "approval_requests.status", "runs.workflow_run_id"])
    .where("runs.status", "=", "waiting_approval")
    .where("approval_requests.status", "in", ["approved", "rejected", "edited", "cancelled"])
    .where("approval_requests.decided_at", "<", cutoff)
    // Only the run's newest request: one it waits on. An older one (an earlier action of the
    // command, or an earlier renewal of a subscription) was decided and read long ago; its hook is
    // gone, and waking it again every pass would crowd out the requests that are stuck.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("approval_requests as newer")
            .select("newer.token")
            .whereRef("newer.run_id", "=", "approval_requests.run_id")
            .whereRef("newer.created_at", ">", "approval_requests.created_at"),
        ),
      ),
    )
    .limit(20)
    .execute();
  let woke = 0;
  for (const row of stuck) {
    if (!row.workflow_run_id) continue;
    const decision: ApprovalWake["decision"] =
      row.status === "approved"
        ? "approve"
        : row.status === "rejected"
          ? "reject"
          : row.status === "edited"
            ? "edit"
            : "cancel";
    if (
      await wakeRun(row.workflow_run_id, row.token, { kind: "approval", decision }, { waitMs: 0 })
    )
      woke++;
  }
  return woke;
}
