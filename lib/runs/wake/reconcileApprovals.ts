import type { Kysely } from "kysely";
import type { ApprovalStatus, Database } from "../../db/database.js";
import { wakeRun } from "./wakeRun.js";
import type { ApprovalWake } from "./wakes.js";

/**
 * How long past its expiry a pending approval may stay pending before the reconciler expires it:
 * the run's own timer (a sleep raced against the approval's hook) normally does it on time.
 */
export const OVERDUE_APPROVAL_GRACE_MS = 30_000;

/** A decided request, and what its run is woken with. */
const wakeOf: Partial<Record<ApprovalStatus, ApprovalWake["decision"]>> = {
  approved: "approve",
  rejected: "reject",
  edited: "edit",
  cancelled: "cancel",
  expired: "expire",
};

/**
 * Safety net for lost wake-ups, in two passes over runs still in `waiting_approval`, each on the
 * run's newest request only (an older one, of an earlier action or renewal, was read long ago):
 * - a decision is stored before its hook is resumed, so if the resume failed (the host died in
 *   between, or the hook was not registered yet), the run would wait for its timeout: decided
 *   requests are resumed again;
 * - a request still pending `OVERDUE_APPROVAL_GRACE_MS` past its expiry means the run's timer was
 *   lost (seen under load after SIGKILLs on the local world): it is expired here and the run
 *   woken, and the run's next step reads the expiry (approval_expired) as its timer would have.
 * Returns how many runs were woken.
 */
export async function reconcileApprovals(
  db: Kysely<Database>,
  options: { olderThanMs?: number; now?: Date } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  // Expired as of its expiry, so the pass below finds it among the requests decided a while ago.
  await db
    .updateTable("approval_requests")
    .set((eb) => ({ status: "expired", decided_at: eb.ref("expires_at") }))
    .where("status", "=", "pending")
    .where("expires_at", "<", new Date(now.getTime() - OVERDUE_APPROVAL_GRACE_MS))
    .where("run_id", "in", (eb) =>
      eb.selectFrom("runs").select("runs.id").where("runs.status", "=", "waiting_approval"),
    )
    .execute();
  const cutoff = new Date(now.getTime() - (options.olderThanMs ?? 3000));
  const stuck = await db
    .selectFrom("approval_requests")
    .innerJoin("runs", "runs.id", "approval_requests.run_id")
    .select(["approval_requests.token", "approval_requests.status", "runs.workflow_run_id"])
    .where("runs.status", "=", "waiting_approval")
    .where("approval_requests.status", "in", Object.keys(wakeOf) as ApprovalStatus[])
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
    const decision = wakeOf[row.status] ?? "cancel";
    if (
      await wakeRun(row.workflow_run_id, row.token, { kind: "approval", decision }, { waitMs: 0 })
    )
      woke++;
  }
  return woke;
}
