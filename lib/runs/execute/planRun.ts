import type { Kysely } from "kysely";
import type { ActionType } from "../../actions/schemas.js";
import type { Command } from "../../agent/intent.js";
import type { Plan } from "../../agent/plan.js";
import { planCommand } from "../../agent/planner.js";
import type { Database } from "../../db/database.js";
import { appendRunEvent } from "../events.js";
import { isTerminal, lockRun } from "../runState.js";
import { agentTokens } from "../start/planning.js";
import { applyPolicyToPlan } from "./applyPolicyToPlan.js";
import { createPlannerContext } from "./plannerContext.js";
import { failRunAndStop, hintsOf, messageOf, retryLater, routeStepError } from "./stepErrors.js";

/** What the workflow needs to orchestrate: small on purpose (the plan itself stays in the database). */
export interface PlannedRun {
  status: "ready" | "failed" | "cancelled" | "completed";
  actions: { index: number; type: ActionType; requiresApproval: boolean }[];
}

/**
 * Step 2: plan the parsed command against real quotes, the catalogue and policy (budgets, approval
 * threshold, allowed actions), and record the plan with one pending execution-log row per action.
 * Idempotent: a retry reuses the stored plan.
 */
export async function planRun(
  db: Kysely<Database>,
  parameters: { runId: string; attempt: number },
): Promise<PlannedRun> {
  const { runId } = parameters;
  const run = await db
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  if (isTerminal(run.status)) return { status: run.status as PlannedRun["status"], actions: [] };
  if (run.plan) return { status: "ready", actions: summarize(run.plan as Plan) };
  if (!run.intent) {
    return failRunAndStop(db, runId, {
      code: "plan_failed",
      message: "The command was not parsed before planning",
    });
  }

  let plan: Plan;
  try {
    const tokens = agentTokens();
    plan = await planCommand(run.intent as Command, await createPlannerContext(db, run, tokens));
    // Policy (issue 13): holds become approvals with the policy's quorum; a refusal ends the run.
    const policed = await applyPolicyToPlan(db, { run, plan });
    if (policed.refusal !== undefined) {
      return failRunAndStop(db, runId, {
        code: "policy_refused",
        message: `Action ${policed.step + 1} ${policed.refusal}`,
      });
    }
    plan = policed.plan;
  } catch (error) {
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, "Planning the command");
    return failRunAndStop(db, runId, {
      code: "plan_failed",
      message: messageOf(error),
      ...hintsOf(error),
    });
  }

  const stored = await db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, runId);
    if (!locked || isTerminal(locked.status)) return locked?.status ?? "failed";
    await trx
      .updateTable("runs")
      .set({ plan: JSON.stringify(plan), updated_at: new Date() })
      .where("id", "=", runId)
      .execute();
    if (plan.actions.length) {
      await trx
        .insertInto("run_steps")
        .values(
          plan.actions.map((planned) => ({
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
      data: { actions: summarize(plan), explanation: plan.explanation },
      dedupeKey: `${runId}:planned`,
    });
    return "ready" as const;
  });
  return {
    status: stored as PlannedRun["status"],
    actions: stored === "ready" ? summarize(plan) : [],
  };
}

function summarize(plan: Plan): PlannedRun["actions"] {
  return plan.actions.map((a) => ({
    index: a.index,
    type: a.action.type,
    requiresApproval: a.requiresApproval,
  }));
}
