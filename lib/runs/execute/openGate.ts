import type { Kysely } from "kysely";
import type { Action } from "../../actions/schemas.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run } from "../../db/database.js";
import { appendRunEvent } from "../events.js";
import { isTerminal, lockRun } from "../runState.js";
import { approvalVerdict } from "./approvalVerdict.js";

/** What the workflow learns from an action step: go on, stop, or wait for an event. */
export interface ActionResult {
  status: "completed" | "failed" | "cancelled" | "waiting";
  waitFor?: { token: string };
}

/** Either the action may run (with the approved or edited action), or the step answers at once. */
export type Gate =
  | { go: true; run: Run; action: Action }
  | { go: false; result: ActionResult; refusal?: string };

/**
 * The policy gate before money moves, under the run's row lock (the lock cancel takes too, so no
 * action starts after a cancel is accepted): cancel flag, terminal run, an already completed or
 * waiting step, and the stored approval decision. Marks the step running.
 */
export async function openGate(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean },
): Promise<Gate> {
  const { runId, index, resume } = parameters;
  return db.transaction().execute(async (trx): Promise<Gate> => {
    const run = await lockRun(trx, runId);
    if (!run) return { go: false, result: { status: "failed" } };
    if (run.cancel_requested_at || run.status === "cancelled")
      return { go: false, result: { status: "cancelled" } };
    if (isTerminal(run.status))
      return { go: false, result: { status: run.status as ActionResult["status"] } };
    const step = await trx
      .selectFrom("run_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .executeTakeFirstOrThrow();
    if (step.status === "completed") return { go: false, result: { status: "completed" } };
    if (step.status === "waiting_event" && !resume) {
      const waitFor = (step.output as { waitFor?: { token: string } } | null)?.waitFor;
      if (waitFor) return { go: false, result: { status: "waiting", waitFor } };
    }
    const planned = (run.plan as Plan).actions.find((a) => a.index === index)!;
    let action = planned.action;
    if (planned.requiresApproval) {
      const approval = await trx
        .selectFrom("approval_requests")
        .selectAll()
        .where("run_id", "=", runId)
        .where("step_index", "=", index)
        .orderBy("created_at", "desc")
        .executeTakeFirst();
      const verdict = approvalVerdict(approval);
      if (verdict.kind === "refused")
        return { go: false, result: { status: "failed" }, refusal: verdict.reason };
      if (verdict.kind === "edited") action = verdict.action;
    }
    const now = new Date();
    await trx
      .updateTable("run_steps")
      .set((eb) => ({
        status: "running",
        started_at: step.started_at ?? now,
        attempts: eb("attempts", "+", 1),
        input: JSON.stringify(action),
      }))
      .where("id", "=", step.id)
      .execute();
    await trx
      .updateTable("runs")
      .set({ status: "running", updated_at: now })
      .where("id", "=", runId)
      .execute();
    await appendRunEvent(trx, {
      runId,
      type: "step.started",
      data: { index, action: action.type },
      dedupeKey: `${runId}:${index}:started`,
    });
    return { go: true, run, action };
  });
}
