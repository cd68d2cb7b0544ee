import type { Kysely } from "kysely";
import { viewUsd } from "../../amounts/viewUsd.js";
import type { Principal } from "../../auth/authenticate.js";
import type { Database, Run, RunStep } from "../../db/database.js";
import { listPolicyDecisions } from "../../policy/recordPolicyDecision.js";
import { getRunFor } from "./getRunFor.js";

/** The public shape of a run (GET /api/runs/{id}). */
export interface RunView {
  id: string;
  sessionId: string;
  kind: string;
  status: Run["status"];
  /** The Workflow DevKit run id, to open the run in the dashboard or `workflow inspect`; null until started. */
  workflowRunId: string | null;
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
    requiredApprovals: number;
    expiresAt: string;
  }[];
  /**
   * What the policy decided for each action, oldest first: which rule allowed, held or refused it
   * ("held: 30 USDC is above the 10 USD threshold; needs 2 approvals") and under which version.
   */
  policyDecisions: {
    step: number;
    outcome: "allow" | "hold" | "refuse";
    rule: string;
    message: string;
    policy: { id: string | null; version: number | null };
    requiredApprovals: number;
    grantedApprovals: number;
    at: string;
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
  const [steps, approvals, decisions] = await Promise.all([
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
    listPolicyDecisions(db, runId),
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
      amountUsd: viewUsd(a.amount_usd),
      reason: a.reason,
      requiredApprovals: a.required_approvals,
      expiresAt: a.expires_at.toISOString(),
    })),
    policyDecisions: decisions.map((d) => ({
      step: Number(d.reservationId.slice(runId.length + 1)),
      outcome: d.outcome,
      rule: d.rule,
      message: d.message,
      policy: { id: d.policyId, version: d.policyVersion },
      requiredApprovals: d.requiredApprovals,
      grantedApprovals: d.grantedApprovals,
      at: new Date(d.createdAt).toISOString(),
    })),
  };
}

/** The list shape of a run: everything but intent, plan and steps. */
export function summarizeRun(
  run: Run,
): Omit<RunView, "intent" | "plan" | "steps" | "pendingApprovals" | "policyDecisions"> {
  const finished = run.finished_at?.getTime();
  return {
    id: run.id,
    sessionId: run.session_id,
    kind: run.kind,
    status: run.status,
    // A "starting:<ms>" claim is not a workflow run id yet.
    workflowRunId: run.workflow_run_id?.startsWith("starting:") ? null : run.workflow_run_id,
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
