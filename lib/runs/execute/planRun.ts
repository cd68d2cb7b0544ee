import { type Kysely, sql } from "kysely";
import type { ActionType } from "../../actions/schemas.js";
import type { Command } from "../../agent/intent.js";
import type { Plan } from "../../agent/plan.js";
import { planCommand } from "../../agent/planner.js";
import type { Database } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { toResolvedPolicy } from "../../policy/resolvePolicy.js";
import { isTerminal, readRunStatus, terminalRunStatuses } from "../runState.js";
import { agentTokens } from "../start/planning.js";
import { applyPolicyToPlan } from "./applyPolicyToPlan.js";
import { createPlannerContext } from "./plannerContext.js";
import { readRunToPlan } from "./readRunToPlan.js";
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
  const { run, session, keyPolicy } = await readRunToPlan(db, runId);
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
    const policy = toResolvedPolicy(keyPolicy);
    const context = await createPlannerContext(db, run, session, tokens, policy);
    // The text, so a command the model read is checked against what the user wrote.
    plan = await planCommand(run.intent as Command, context, { text: run.command });
    // Policy (issue 13): holds become approvals with the policy's quorum; a refusal ends the run.
    const policed = await applyPolicyToPlan(db, { run, plan, keyPolicy });
    if (policed.refusal !== undefined) {
      return failRunAndStop(db, runId, {
        code: "policy_refused",
        message: `Action ${policed.step + 1} ${policed.refusal}`,
        // The index (from 0) of the refused action, as an action step's refusal carries it.
        step: policed.step,
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

  const stored = await storePlan(db, runId, plan);
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

/**
 * Stores the plan, one pending row per action and run.planned, unless the run ended meanwhile: one
 * statement (data-modifying CTEs), atomic as the transaction it replaces was. The update takes the
 * run's row lock and re-checks the status as the locked read did; the inserts happen only if it
 * updated the run.
 */
async function storePlan(
  db: Kysely<Database>,
  runId: string,
  plan: Plan,
): Promise<PlannedRun["status"]> {
  const steps = plan.actions.map((planned) => ({
    id: `${runId}:${planned.index}`,
    step_index: planned.index,
    action: planned.action.type,
    input: planned.action,
  }));
  const event = { actions: summarize(plan), explanation: plan.explanation };
  const [stored] = await insertPlan(db, {
    runId,
    plan: JSON.stringify(plan),
    now: new Date(),
    steps: JSON.stringify(steps),
    eventData: JSON.stringify(event),
    dedupeKey: `${runId}:planned`,
  });
  if (stored) return "ready";
  return ((await readRunStatus(db, runId)) ?? "failed") as PlannedRun["status"];
}

/** storePlan's statement (prepared, see prepareQuery: every run's plan step runs it). */
const insertPlan = prepareQuery(
  "storePlan",
  (
    db,
    p: {
      runId: string;
      plan: string;
      now: Date;
      steps: string;
      eventData: string;
      dedupeKey: string;
    },
  ) =>
    db
      .with("planned", (qb) =>
        qb
          .updateTable("runs")
          .set({ plan: p.plan, updated_at: p.now })
          .where("id", "=", p.runId)
          .where("status", "not in", terminalRunStatuses)
          .returning("id"),
      )
      .with("steps", (qb) =>
        qb
          .insertInto("run_steps")
          .columns(["id", "run_id", "step_index", "action", "status", "input"])
          .expression(
            qb
              .selectFrom([
                "planned",
                sql<{
                  id: string;
                  step_index: number;
                  action: string;
                  input: unknown;
                }>`jsonb_to_recordset(${p.steps}::jsonb)`.as<"step">(
                  sql`step(id text, step_index integer, action text, input jsonb)`,
                ),
              ])
              .select([
                "step.id",
                "planned.id as run_id",
                "step.step_index",
                "step.action",
                sql<string>`'pending'`.as("status"),
                "step.input",
              ]),
          )
          .onConflict((oc) => oc.column("id").doNothing()),
      )
      .with("event", (qb) =>
        qb
          .insertInto("run_events")
          .columns(["run_id", "type", "data", "dedupe_key"])
          .expression(
            qb
              .selectFrom("planned")
              .select([
                "planned.id as run_id",
                sql<string>`'run.planned'`.as("type"),
                sql<unknown>`${p.eventData}::jsonb`.as("data"),
                sql<string>`${p.dedupeKey}::text`.as("dedupe_key"),
              ]),
          )
          .onConflict((oc) => oc.column("dedupe_key").doNothing()),
      )
      .selectFrom("planned")
      .select("id"),
);
