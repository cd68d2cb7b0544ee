import type { Kysely } from "kysely";
import type { Command } from "../../agent/intent.js";
import { rememberRun } from "../../agent/memory.js";
import { Action, type Plan } from "../../agent/plan.js";
import { getConfig } from "../../config.js";
import type { ApprovalRequest, Database, Run } from "../../db/database.js";
import { BaseError, isErrorNamed } from "../../errors/index.js";
import { log } from "../../log.js";
import { type ActionOutcome, performAction, spendOf } from "../actions.js";
import { releaseSpend, reserveSpend, settleSpend } from "../budget.js";
import { appendRunEvent } from "../events.js";
import { addRunCost, failRun, isTerminal, lockRun } from "../runState.js";

export interface ExecuteActionParameters {
  runId: string;
  index: number;
  /**
   * Set by confirmAction after a chain or payment wait: the action runs again (idempotently, so it
   * finds its earlier transaction or payment instead of sending another) to collect the outcome.
   */
  resume?: boolean;
  /** The wait timed out: an outcome still pending now fails the action instead of waiting again. */
  finalAttempt?: boolean;
}

/** What the workflow learns from an action: whether to go on, stop, or wait for an event. */
export interface ActionResult {
  status: "completed" | "failed" | "cancelled" | "waiting";
  waitFor?: { token: string };
}

type Gate =
  | { go: true; run: Run; action: Action }
  | { go: false; result: ActionResult; refusal?: string };

/**
 * One planned action: gate it (cancel flag, approval decision, policy), reserve budget, do it,
 * record it. Idempotent: a completed action returns its stored result, and the action itself is
 * keyed by `${runId}:${index}` (transactions by step id, x402 by a nonce derived from it), so a retry
 * after a crash never moves money twice.
 */
export async function executeActionStep(
  db: Kysely<Database>,
  parameters: ExecuteActionParameters,
): Promise<ActionResult> {
  const { runId, index } = parameters;
  const stepId = `${runId}:${index}`;
  const gate = await openGate(db, runId, index, parameters.resume ?? false);
  if (!gate.go) return gate.result;
  const { run, action } = gate;
  const started = Date.now();

  let outcome: ActionOutcome;
  const spend = await spendOf(action, run, db);
  try {
    if (spend) await reserveSpend(db, { run, index, spend });
    outcome = await performAction(db, { run, stepId, index, action, spend });
  } catch (error) {
    if (!(error instanceof BaseError) || isErrorNamed(error, "ServiceUnavailableError"))
      throw error; // transient
    if (spend) await releaseSpend(db, { run, index });
    log.info("action failed", { runId, index, error: error.shortMessage });
    await failRun(db, runId, {
      code: "action_failed",
      message: `Action ${index + 1} (${action.type}) failed: ${error.shortMessage}`,
      step: index,
      ...(error.metaMessages?.length ? { hints: error.metaMessages } : {}),
    });
    return { status: "failed" };
  }
  if (outcome.waitFor && parameters.finalAttempt) {
    // Still pending after the whole wait: fail the action and say which transaction to watch.
    await failRun(db, runId, {
      code: "event_timeout",
      message: `Action ${index + 1} (${action.type}) is still pending after its wait; it may still settle: ${JSON.stringify(outcome.txHashes ?? [])}`,
      step: index,
    });
    return { status: "failed" };
  }
  if (spend && !outcome.waitFor) await settleSpend(db, { run, index, actual: outcome.spent });
  const result = await recordOutcome(db, { run, index, outcome, startedAt: started });
  if (getConfig().PAYGENT_FAULT === "after-action") {
    // Durability tests: die like a crashed host between this step's work and its checkpoint.
    log.warn("fault injection: killing the process after an action", { runId, index });
    process.kill(process.pid, "SIGKILL");
  }
  return result;
}

async function openGate(
  db: Kysely<Database>,
  runId: string,
  index: number,
  resume: boolean,
): Promise<Gate> {
  return db
    .transaction()
    .execute(async (trx): Promise<Gate> => {
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
    })
    .then(async (gate) => {
      // Failing the run takes its own transaction (it locks the run row again).
      if (!gate.go && gate.refusal) {
        await failRun(db, runId, { code: "not_approved", message: gate.refusal, step: index });
      }
      return gate;
    });
}

type Verdict =
  | { kind: "approved" }
  | { kind: "edited"; action: Action }
  | { kind: "refused"; reason: string };

/** Reads the stored decision; only an approval (or a validated edit) lets money move. */
function approvalVerdict(approval: ApprovalRequest | undefined): Verdict {
  if (!approval)
    return { kind: "refused", reason: "The action needs approval and none was requested" };
  switch (approval.status) {
    case "approved":
      return { kind: "approved" };
    case "edited":
      return {
        kind: "edited",
        action: Action.parse((approval.decision as { action: unknown }).action),
      };
    case "rejected":
      return { kind: "refused", reason: "The approver rejected the action" };
    case "expired":
      return { kind: "refused", reason: "The approval request expired before anyone decided" };
    case "cancelled":
      return { kind: "refused", reason: "The approval request was cancelled" };
    default:
      return approval.expires_at.getTime() <= Date.now()
        ? { kind: "refused", reason: "The approval request expired before anyone decided" }
        : { kind: "refused", reason: "The action was attempted before it was approved" };
  }
}

/** Writes the action's result, cost and events; completes the run after its last action. */
async function recordOutcome(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; outcome: ActionOutcome; startedAt: number },
): Promise<ActionResult> {
  const { run, index, outcome } = parameters;
  const runId = run.id;
  const plan = run.plan as Plan;
  const isLast = index === Math.max(...plan.actions.map((a) => a.index));
  return db.transaction().execute(async (trx): Promise<ActionResult> => {
    const locked = await lockRun(trx, runId);
    if (!locked) return { status: "failed" };
    const now = new Date();
    const waiting = outcome.waitFor !== undefined;
    await trx
      .updateTable("run_steps")
      .set({
        status: waiting ? "waiting_event" : "completed",
        output: JSON.stringify(
          waiting ? { ...(outcome.output as object), waitFor: outcome.waitFor } : outcome.output,
        ),
        tx_hashes: JSON.stringify(outcome.txHashes ?? []),
        cost: JSON.stringify(outcome.cost),
        ...(waiting ? {} : { finished_at: now, duration_ms: Date.now() - parameters.startedAt }),
      })
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .execute();
    const cost = await addRunCost(trx, locked, outcome.cost);
    if (waiting) {
      await trx
        .updateTable("runs")
        .set({ status: "waiting_event", updated_at: now })
        .where("id", "=", runId)
        .execute();
      await appendRunEvent(trx, {
        runId,
        type: "waiting.event",
        data: { index, token: outcome.waitFor!.token, txHashes: outcome.txHashes ?? [] },
        dedupeKey: `${runId}:${index}:waiting`,
      });
      return { status: "waiting", waitFor: outcome.waitFor };
    }
    await appendRunEvent(trx, {
      runId,
      type: "step.finished",
      data: {
        index,
        status: "completed",
        output: outcome.output,
        txHashes: outcome.txHashes ?? [],
      },
      dedupeKey: `${runId}:${index}:finished`,
    });
    if (isLast && !isTerminal(locked.status) && !locked.cancel_requested_at) {
      await completeRun(trx, runId, cost);
    }
    return { status: "completed" };
  });
}

/**
 * Marks the run completed with every action's output as its result, and remembers it in the
 * session's memory so later commands can say "do that again" or "swap it back".
 */
export async function completeRun(
  trx: Kysely<Database>,
  runId: string,
  cost: unknown,
): Promise<void> {
  const steps = await trx
    .selectFrom("run_steps")
    .select(["step_index", "action", "output", "tx_hashes"])
    .where("run_id", "=", runId)
    .orderBy("step_index")
    .execute();
  const run = await trx
    .selectFrom("runs")
    .select(["session_id", "kind", "intent", "plan"])
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  if (run.kind === "command" && run.intent && run.plan) {
    const swapOutputs: Record<number, string> = {};
    for (const step of steps) {
      const amountOut = (step.output as { amountOut?: string } | null)?.amountOut;
      if (step.action === "swap" && amountOut) swapOutputs[step.step_index] = amountOut;
    }
    await rememberRun(trx, {
      sessionId: run.session_id,
      runId,
      command: run.intent as Command,
      plan: run.plan as Plan,
      swapOutputs,
    });
  }
  const result = {
    actions: steps.map((s) => ({
      index: s.step_index,
      type: s.action,
      output: s.output,
      txHashes: s.tx_hashes,
    })),
  };
  const now = new Date();
  await trx
    .updateTable("runs")
    .set({ status: "completed", result: JSON.stringify(result), finished_at: now, updated_at: now })
    .where("id", "=", runId)
    .execute();
  await appendRunEvent(trx, {
    runId,
    type: "run.completed",
    data: { result, cost },
    dedupeKey: `${runId}:completed`,
  });
}
