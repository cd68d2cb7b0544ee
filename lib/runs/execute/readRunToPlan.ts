import { expressionBuilder, type Kysely, sql } from "kysely";
import type { AgentSession, Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { type KeyPolicyRow, keyPolicy } from "../../policy/resolvePolicy.js";

/** The session limits the planner plans against. */
export type PlanningSession = Pick<
  AgentSession,
  "id" | "budget_amount" | "budget_token" | "approval_threshold_usd"
>;

/** What the plan step starts from. */
export interface RunToPlan {
  run: Run;
  session: PlanningSession;
  /** The run's key's policy at its current version, as read now (toResolvedPolicy resolves it). */
  keyPolicy: KeyPolicyRow;
}

/**
 * The run, its session's limits and its key's policy in one read (three round trips before). The
 * policy only shapes the plan (holds, refusals); the action step's gate reads the key's policy
 * again right before money moves.
 */
export async function readRunToPlan(db: Kysely<Database>, runId: string): Promise<RunToPlan> {
  const [row] = await selectRunToPlan(db, { runId });
  if (!row) throw new Error(`run ${runId} not found`);
  const {
    session_budget_amount,
    session_budget_token,
    session_approval_threshold_usd,
    key_policy,
    ...run
  } = row;
  return {
    run,
    session: {
      id: run.session_id,
      budget_amount: session_budget_amount,
      budget_token: session_budget_token,
      approval_threshold_usd: session_approval_threshold_usd,
    },
    keyPolicy: key_policy,
  };
}

// Prepared (see prepareQuery): the plan step of every run reads it.
const selectRunToPlan = prepareQuery("readRunToPlan", (db, p: { runId: string }) =>
  db
    .selectFrom("runs")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .selectAll("runs")
    .select([
      "agent_sessions.budget_amount as session_budget_amount",
      "agent_sessions.budget_token as session_budget_token",
      "agent_sessions.approval_threshold_usd as session_approval_threshold_usd",
      // Correlated on the run's key: a sub-select of its own builder, naming the outer column.
      keyPolicy(expressionBuilder<Database, never>(), sql.ref<string | null>("runs.api_key_id")).as(
        "key_policy",
      ),
    ])
    .where("runs.id", "=", p.runId),
);
