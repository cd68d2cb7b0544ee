import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { Database, Run, RunStep } from "../../db/database.js";
import { runNotFound } from "./errors.js";

/** The public shape of a run (GET /api/runs/{id}). */
export interface RunView {
  id: string;
  sessionId: string;
  kind: string;
  status: Run["status"];
  command: string;
  intent: unknown;
  plan: unknown;
  steps: StepView[];
  pendingApprovals: {
    token: string;
    step: number;
    action: unknown;
    amountUsd: string | null;
    reason: string;
    expiresAt: string;
  }[];
  result: unknown;
  error: unknown;
  cost: unknown;
  cancelRequestedAt: string | null;
  timings: {
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
  };
  links: { self: string; events: string; cancel: string };
}

export interface StepView {
  index: number;
  action: string;
  status: RunStep["status"];
  input: unknown;
  output: unknown;
  txHashes: string[];
  cost: unknown;
  error: string | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** Loads a run the principal may see, with its execution log and pending approvals. */
export async function getRunView(
  db: Kysely<Database>,
  principal: Principal,
  runId: string,
): Promise<RunView> {
  const run = await getRunFor(db, principal, runId);
  const [steps, approvals] = await Promise.all([
    db
      .selectFrom("run_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("step_index")
      .execute(),
    db
      .selectFrom("approval_requests")
      .selectAll()
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .orderBy("step_index")
      .execute(),
  ]);
  return {
    ...summarizeRun(run),
    intent: run.intent,
    plan: run.plan,
    steps: steps.map(viewStep),
    pendingApprovals: approvals.map((a) => ({
      token: a.token,
      step: a.step_index,
      action: a.action,
      amountUsd: a.amount_usd,
      reason: a.reason,
      expiresAt: a.expires_at.toISOString(),
    })),
  };
}

/** The run row if the principal may see it (admins see all; other keys their own sessions'). */
export async function getRunFor(
  db: Kysely<Database>,
  principal: Principal,
  runId: string,
): Promise<Run> {
  const row = await db
    .selectFrom("runs")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .selectAll("runs")
    .select("agent_sessions.api_key_id as session_key_id")
    .where("runs.id", "=", runId)
    .executeTakeFirst();
  if (!row) throw runNotFound(runId);
  if (principal.scope !== "admin" && row.session_key_id !== principal.keyId)
    throw runNotFound(runId);
  const { session_key_id: _, ...run } = row;
  return run;
}

/** The list shape of a run: everything but intent, plan and steps. */
export function summarizeRun(
  run: Run,
): Omit<RunView, "intent" | "plan" | "steps" | "pendingApprovals"> {
  const finished = run.finished_at?.getTime();
  return {
    id: run.id,
    sessionId: run.session_id,
    kind: run.kind,
    status: run.status,
    command: run.command,
    result: run.result,
    error: run.error,
    cost: run.cost,
    cancelRequestedAt: run.cancel_requested_at?.toISOString() ?? null,
    timings: {
      createdAt: run.created_at.toISOString(),
      startedAt: run.started_at?.toISOString() ?? null,
      finishedAt: run.finished_at?.toISOString() ?? null,
      durationMs: finished ? finished - run.created_at.getTime() : null,
    },
    links: {
      self: `/api/runs/${run.id}`,
      events: `/api/runs/${run.id}/events`,
      cancel: `/api/runs/${run.id}/cancel`,
    },
  };
}

function viewStep(step: RunStep): StepView {
  return {
    index: step.step_index,
    action: step.action,
    status: step.status,
    input: step.input,
    output: step.output,
    txHashes: (step.tx_hashes as string[] | null) ?? [],
    cost: step.cost,
    error: step.error,
    attempts: step.attempts,
    startedAt: step.started_at?.toISOString() ?? null,
    finishedAt: step.finished_at?.toISOString() ?? null,
    durationMs: step.duration_ms,
  };
}

/** Runs visible to the principal, newest first; the cursor is the last id of the previous page. */
export async function listRuns(
  db: Kysely<Database>,
  principal: Principal,
  options: { sessionId?: string; status?: Run["status"]; limit: number; cursor?: string },
): Promise<{ runs: ReturnType<typeof summarizeRun>[]; nextCursor: string | null }> {
  let query = db
    .selectFrom("runs")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .selectAll("runs")
    .orderBy("runs.id", "desc")
    .limit(options.limit + 1);
  if (principal.scope !== "admin")
    query = query.where("agent_sessions.api_key_id", "=", principal.keyId);
  if (options.sessionId) query = query.where("runs.session_id", "=", options.sessionId);
  if (options.status) query = query.where("runs.status", "=", options.status);
  if (options.cursor) query = query.where("runs.id", "<", options.cursor);
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  return {
    runs: page.map(summarizeRun),
    nextCursor: rows.length > options.limit ? page.at(-1)!.id : null,
  };
}
