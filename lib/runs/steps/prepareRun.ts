import type { Kysely } from "kysely";
import type { Plan } from "../../agent/plan.js";
import type { Database } from "../../db/database.js";
import { BaseError } from "../../errors/index.js";
import type { CostItem } from "../cost.js";
import { appendRunEvent } from "../events.js";
import { addRunCost, failRun, isTerminal, lockRun } from "../runState.js";
import { understandAndPlan } from "../start/planning.js";

export interface PrepareRunParameters {
  runId: string;
  workflowRunId: string;
}

/** What the workflow needs to orchestrate: small on purpose (the plan itself stays in the database). */
export interface PreparedRun {
  status: "ready" | "failed" | "cancelled" | "completed" | "duplicate";
  actions: { index: number; type: string; requiresApproval: boolean }[];
}

/**
 * Step 1 of every run: understand the command, plan it, apply policy, and record intent, plan and
 * one pending execution-log row per action. Idempotent: a retry after a crash reuses the stored
 * plan instead of planning (and spending model tokens) again.
 */
export async function prepareRunStep(
  db: Kysely<Database>,
  parameters: PrepareRunParameters,
): Promise<PreparedRun> {
  const { runId, workflowRunId } = parameters;
  const claim = await claimRun(db, runId, workflowRunId);
  if (claim !== "ok") return { status: claim, actions: [] };

  const run = await db
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  if (isTerminal(run.status)) return { status: run.status as PreparedRun["status"], actions: [] };
  if (run.plan) return { status: "ready", actions: summarize(run.plan as Plan) };

  let planned: { intent: unknown; plan: Plan; cost: CostItem[] };
  try {
    planned = await understandAndPlan(db, run);
  } catch (error) {
    if (!(error instanceof BaseError)) throw error; // transient: let the step retry
    await failRun(db, runId, {
      code: "plan_failed",
      message: error.shortMessage,
      ...(error.metaMessages?.length ? { hints: error.metaMessages } : {}),
    });
    return { status: "failed", actions: [] };
  }

  const stored = await db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, runId);
    if (!locked || isTerminal(locked.status)) return false;
    await trx
      .updateTable("runs")
      .set({
        intent: JSON.stringify(planned.intent),
        plan: JSON.stringify(planned.plan),
        updated_at: new Date(),
      })
      .where("id", "=", runId)
      .execute();
    if (planned.cost.length) await addRunCost(trx, locked, planned.cost);
    if (planned.plan.actions.length) {
      await trx
        .insertInto("run_steps")
        .values(
          planned.plan.actions.map((planned) => ({
            id: `${runId}:${planned.index}`,
            run_id: runId,
            step_index: planned.index,
            action: planned.action.type,
            status: "pending" as const,
            input: JSON.stringify(planned.action),
          })),
        )
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
    }
    await appendRunEvent(trx, {
      runId,
      type: "run.planned",
      data: { actions: summarize(planned.plan), explanation: planned.plan.explanation },
      dedupeKey: `${runId}:planned`,
    });
    return true;
  });
  if (!stored) {
    const current = await db
      .selectFrom("runs")
      .select("status")
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    return { status: current.status as PreparedRun["status"], actions: [] };
  }
  return { status: "ready", actions: summarize(planned.plan) };
}

function summarize(plan: Plan): PreparedRun["actions"] {
  return plan.actions.map((a) => ({
    index: a.index,
    type: a.action.type,
    requiresApproval: a.requiresApproval,
  }));
}

/**
 * Binds the run to this workflow run. startRun claims the row before start() and records the
 * workflow id after; if another workflow already owns the run, this one is a duplicate and stops.
 */
async function claimRun(
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
