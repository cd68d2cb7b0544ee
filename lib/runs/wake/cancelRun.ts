import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { Database } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import { log } from "../../log.js";
import { appendRunEvent } from "../events.js";
import { getRunFor } from "../read/getRunFor.js";
import { isTerminal, lockRun } from "../runState.js";
import { cancelWorkflowRun } from "../start/workflows.js";
import { wakeRun } from "./wakeRun.js";

export interface CancelRunResult {
  runId: string;
  status: "cancelled";
  /** Transactions already submitted before the cancel; they are reported, not undone. */
  submittedTxHashes: string[];
  /** Actions that were in flight when the cancel arrived and may still finish. */
  inFlightSteps: number[];
}

/**
 * The kill switch. Under the run's row lock it records the cancel, so no action that has not yet
 * passed its gate (which takes the same lock) can start a payment or swap afterwards. Then it asks
 * the workflow world to stop the run (waking an approval wait only if the world cannot).
 */
export async function cancelRun(
  db: Kysely<Database>,
  principal: Principal,
  runId: string,
): Promise<CancelRunResult> {
  await getRunFor(db, principal, runId);
  const cancelled = await db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) throw new ClientError("not_found", `Run ${runId} not found`);
    if (isTerminal(run.status)) {
      throw new ClientError(
        "conflict",
        `Run ${runId} already ${run.status}; only active runs can be cancelled`,
      );
    }
    const now = new Date();
    await trx
      .updateTable("runs")
      .set({ status: "cancelled", cancel_requested_at: now, finished_at: now, updated_at: now })
      .where("id", "=", runId)
      .execute();
    const steps = await trx
      .selectFrom("run_steps")
      .select(["step_index", "status", "tx_hashes"])
      .where("run_id", "=", runId)
      .execute();
    await trx
      .updateTable("run_steps")
      .set({ status: "cancelled" })
      .where("run_id", "=", runId)
      .where("status", "in", ["pending", "waiting_approval"])
      .execute();
    const approvals = await trx
      .updateTable("approval_requests")
      .set({ status: "cancelled", decided_at: now })
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .returning("token")
      .execute();
    const submittedTxHashes = steps.flatMap((s) => (s.tx_hashes as string[] | null) ?? []);
    const inFlightSteps = steps
      .filter((s) => s.status === "running" || s.status === "waiting_event")
      .map((s) => s.step_index);
    await appendRunEvent(trx, {
      runId,
      type: "run.cancelled",
      data: { submittedTxHashes, inFlightSteps },
      dedupeKey: `${runId}:cancelled`,
    });
    return {
      workflowRunId: run.workflow_run_id,
      approvalTokens: approvals.map((a) => a.token),
      submittedTxHashes,
      inFlightSteps,
    };
  });

  const { workflowRunId } = cancelled;
  if (workflowRunId && !workflowRunId.startsWith("starting:")) {
    // Stop the run in the world first and leave its approval hook alone. Waking the hook made the
    // workflow replay and schedule the action step while the cancel landed: the world refuses
    // step_created on a cancelled run, the runtime takes that refusal for "step already exists",
    // enqueues the step anyway, and its step_started answers "Step not found" (HTTP 500) — retried
    // forever. A run cancelled while it sleeps on the hook never schedules another step; its hook
    // is disposed and its timeout wake-up finds a finished run and is dropped.
    const stopped = await cancelWorkflowRun(workflowRunId).then(
      () => true,
      (error: unknown) => {
        log.warn("workflow cancel failed", { runId, error });
        return false;
      },
    );
    // Only when the world could not stop it: wake the wait so the run reaches its gate, which
    // sees our cancel flag and ends the run itself.
    if (!stopped) {
      for (const token of cancelled.approvalTokens) {
        await wakeRun(
          workflowRunId,
          token,
          { kind: "approval", decision: "cancel" },
          { waitMs: 200 },
        );
      }
    }
  }
  return {
    runId,
    status: "cancelled",
    submittedTxHashes: cancelled.submittedTxHashes,
    inFlightSteps: cancelled.inFlightSteps,
  };
}
