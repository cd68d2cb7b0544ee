import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { Database, Run } from "../../db/database.js";
import { newId } from "../../ids.js";
import { log } from "../../log.js";
import { type BaseUnitLimit, createSession, getActiveSessionFor } from "../../sessions/sessions.js";
import { appendRunEvent } from "../events.js";
import { startAgentCommandWorkflow } from "./workflows.js";

/** Per-run options the workflow reads back from the run row. */
export interface RunOptions {
  budget?: { amount: string; token: string };
  approvalThresholdUsd?: string;
  /** How long approvals of this run wait before they expire (default APPROVAL_TIMEOUT_SECONDS). */
  approvalTimeoutSeconds?: number;
  /** For kind "x402": pay this URL without natural language. */
  x402?: { url: string; maxAmount: string; token: string };
  /** For kind "transfer": a direct wallet transfer. */
  transfer?: { token: string; amount: string; to: string };
}

export interface StartRunParameters {
  principal: Principal;
  sessionId?: string;
  command: string;
  kind?: "command" | "x402" | "transfer";
  budget?: BaseUnitLimit;
  approvalThresholdUsd?: string;
  options?: Omit<RunOptions, "budget" | "approvalThresholdUsd">;
  idempotencyKey?: string;
}

export interface StartRunResult {
  run: Run;
  /** False when an Idempotency-Key matched an earlier request. */
  created: boolean;
}

/**
 * Accepts a command: records the run (creating the session when none is named) and starts its
 * durable workflow. The row is written first so the workflow's first step always finds it; a
 * retried request with the same Idempotency-Key returns the same run.
 */
export async function startRun(
  db: Kysely<Database>,
  parameters: StartRunParameters,
): Promise<StartRunResult> {
  const { principal } = parameters;
  const idempotencyKey = parameters.idempotencyKey
    ? `${principal.keyId}:${parameters.idempotencyKey}`
    : undefined;

  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(db, idempotencyKey);
    if (existing) return { run: await ensureWorkflowStarted(db, existing), created: false };
  }

  const options: RunOptions = {
    ...parameters.options,
    ...(parameters.budget
      ? { budget: { amount: parameters.budget.amount.toString(), token: parameters.budget.token } }
      : {}),
    ...(parameters.approvalThresholdUsd
      ? { approvalThresholdUsd: parameters.approvalThresholdUsd }
      : {}),
  };
  const runId = newId("run");
  // The creator owns the start: the row is born claimed, and session, run and first event are one
  // commit (one round of I/O on the hot path).
  const claim = `${claimPrefix}${Date.now()}`;
  const inserted = await db
    .transaction()
    .execute(async (trx) => {
      const session = parameters.sessionId
        ? await getActiveSessionFor(trx, principal, parameters.sessionId)
        : await createSession(trx, { principal });
      const row = await trx
        .insertInto("runs")
        .values({
          id: runId,
          session_id: session.id,
          kind: parameters.kind ?? "command",
          command: parameters.command,
          status: "running",
          idempotency_key: idempotencyKey ?? null,
          options: JSON.stringify(options),
          api_key_id: principal.keyId === "auth-disabled" ? null : principal.keyId,
          workflow_run_id: claim,
        })
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .returningAll()
        .executeTakeFirst();
      // A concurrent request with the same key won the insert: roll back (no stray session).
      if (!row) throw new IdempotencyRace();
      await appendRunEvent(trx, {
        runId,
        type: "run.accepted",
        data: { command: parameters.command, sessionId: session.id },
        dedupeKey: `${runId}:accepted`,
      });
      return row;
    })
    .catch((error: unknown) => {
      if (error instanceof IdempotencyRace) return undefined;
      throw error;
    });
  if (!inserted) {
    const existing = await findByIdempotencyKey(db, idempotencyKey!);
    return { run: await ensureWorkflowStarted(db, existing!), created: false };
  }
  return { run: await startClaimed(db, inserted, claim), created: true };
}

class IdempotencyRace extends Error {}

async function findByIdempotencyKey(db: Kysely<Database>, key: string): Promise<Run | undefined> {
  return db.selectFrom("runs").selectAll().where("idempotency_key", "=", key).executeTakeFirst();
}

/** Marks a run whose workflow is being started; claims older than this may be retried. */
const claimPrefix = "starting:";
const staleClaimMs = 30_000;

/**
 * Starts the workflow unless it already runs. Only the caller that claims the row starts it, so
 * concurrent retries never start two workflows for one run. A crash between the insert and
 * start() leaves an unclaimed (or stale) row; the client's retry with the same key starts it then.
 */
async function ensureWorkflowStarted(db: Kysely<Database>, run: Run): Promise<Run> {
  const current = run.workflow_run_id;
  if (current && !(current.startsWith(claimPrefix) && isStale(current))) return run;
  const claim = `${claimPrefix}${Date.now()}`;
  const claimed = await db
    .updateTable("runs")
    .set({ workflow_run_id: claim })
    .where("id", "=", run.id)
    .where((eb) =>
      current === null ? eb("workflow_run_id", "is", null) : eb("workflow_run_id", "=", current),
    )
    .returning("id")
    .executeTakeFirst();
  if (!claimed) return run;
  return startClaimed(db, run, claim);
}

/** Starts the workflow of a run this caller has claimed, then records the workflow's id. */
async function startClaimed(db: Kysely<Database>, run: Run, claim: string): Promise<Run> {
  const workflowRunId = await startAgentCommandWorkflow(run.id);
  const updated = await db
    .updateTable("runs")
    .set({ workflow_run_id: workflowRunId, started_at: new Date() })
    .where("id", "=", run.id)
    .where("workflow_run_id", "=", claim)
    .returningAll()
    .executeTakeFirst();
  // The run's first step may already have recorded its own id (it checks the claim too).
  if (!updated) log.debug("workflow id was recorded by the run itself first", { runId: run.id });
  return updated ?? { ...run, workflow_run_id: workflowRunId };
}

function isStale(claim: string): boolean {
  return Date.now() - Number(claim.slice(claimPrefix.length)) > staleClaimMs;
}

/**
 * Runs accepted but never started (the process died between the commit and start()) are started
 * by the background checks, so an accepted command is never silently lost.
 */
export async function startOrphanedRuns(db: Kysely<Database>): Promise<number> {
  const cutoff = new Date(Date.now() - staleClaimMs);
  const orphans = await db
    .selectFrom("runs")
    .selectAll()
    .where("kind", "in", ["command", "x402", "transfer"]) // runs of the agentCommand workflow
    .where("status", "=", "running")
    .where((eb) =>
      eb.or([eb("workflow_run_id", "is", null), eb("workflow_run_id", "like", `${claimPrefix}%`)]),
    )
    .where("created_at", "<", cutoff)
    .limit(10)
    .execute();
  for (const run of orphans) await ensureWorkflowStarted(db, run);
  return orphans.length;
}
