import type { Kysely } from "kysely";
import type { McpToolCall } from "../../actions/fields.js";
import type { Principal } from "../../auth/authenticate.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import { injectFault } from "../../faults/injectFault.js";
import { hashRequest } from "../../idempotency/hashRequest.js";
import { newId } from "../../ids.js";
import { log } from "../../log.js";
import { type BaseUnitLimit, newSessionRow } from "../../sessions/createSession.js";
import { getActiveSessionFor } from "../../sessions/getSession.js";
import { afterRequests } from "../../world/requestsFirst.js";
import { claimPrefix, ensureWorkflowStarted, startClaimed } from "./ensureWorkflowStarted.js";
import { insertAcceptedRun } from "./insertAcceptedRun.js";

/** Per-run options the workflow reads back from the run row. */
export interface RunOptions {
  budget?: { amount: string; token: string };
  approvalThresholdUsd?: string;
  /** How long approvals of this run wait before they expire (default APPROVAL_TIMEOUT_SECONDS). */
  approvalTimeoutSeconds?: number;
  /** For kind "x402": pay this URL without natural language. */
  x402?: {
    url: string;
    maxAmount: string;
    token: string;
    /** A paid MCP tool at `url` (the MCP endpoint), paid with x402 over MCP (issue 15). */
    tool?: McpToolCall;
  };
  /** For kind "transfer": a direct wallet transfer. */
  transfer?: { token: string; amount: string; to: string };
  /** POST /api/subscriptions: the id the subscription gets, answered in the 202 before it exists. */
  subscriptionId?: string;
  /**
   * Runs started under an idempotency key: the fingerprint of what was asked (requestFingerprint).
   * A later start under the same key answers this run only when its fingerprint is the same.
   */
  requestFingerprint?: string;
}

export interface StartRunParameters {
  principal: Principal;
  sessionId?: string;
  command: string;
  kind?: "command" | "x402" | "transfer";
  budget?: BaseUnitLimit;
  approvalThresholdUsd?: string;
  options?: Omit<RunOptions, "budget" | "approvalThresholdUsd" | "requestFingerprint">;
  idempotencyKey?: string;
  /** Limits of the session created when no sessionId is named: the key's policy's (checkStartPolicy). */
  sessionLimits?: { approvalThresholdUsd?: string };
}

export interface StartRunResult {
  run: Run;
  /** False when an Idempotency-Key matched an earlier request. */
  created: boolean;
}

/**
 * Accepts a command: records the run (creating the session when none is named) and starts its
 * durable workflow. The row is written first so the workflow's first step always finds it; a
 * retried request with the same Idempotency-Key returns the same run. Another request under a
 * used key (another command, amount, URL, session... or another tool over MCP, whose keys are
 * not scoped per operation) is refused with 422 idempotency_conflict, never answered with the
 * earlier, unrelated run: REST's body check (withIdempotency) lasts 24 h, the run's key forever.
 */
export async function startRun(
  db: Kysely<Database>,
  parameters: StartRunParameters,
): Promise<StartRunResult> {
  const { principal } = parameters;
  const idempotencyKey = parameters.idempotencyKey
    ? `${principal.keyId}:${parameters.idempotencyKey}`
    : undefined;

  const options: RunOptions = {
    ...parameters.options,
    ...(parameters.budget
      ? { budget: { amount: parameters.budget.amount.toString(), token: parameters.budget.token } }
      : {}),
    ...(parameters.approvalThresholdUsd
      ? { approvalThresholdUsd: parameters.approvalThresholdUsd }
      : {}),
  };
  const fingerprint = idempotencyKey ? requestFingerprint(parameters, options) : undefined;
  if (fingerprint) options.requestFingerprint = fingerprint;

  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(db, idempotencyKey);
    if (existing) return replay(db, existing, fingerprint!);
  }

  const runId = newId("run");
  // The creator owns the start: the row is born claimed. Session, run and first event are one
  // statement (insertAcceptedRun), the accept's one write.
  const claim = `${claimPrefix}${Date.now()}`;
  const newSession = parameters.sessionId
    ? undefined
    : newSessionRow({ principal, ...parameters.sessionLimits });
  const sessionId =
    newSession?.id ?? (await getActiveSessionFor(db, principal, parameters.sessionId!)).id;
  const inserted = await insertAcceptedRun(db, {
    newSession,
    run: {
      id: runId,
      session_id: sessionId,
      kind: parameters.kind ?? "command",
      command: parameters.command,
      status: "running",
      idempotency_key: idempotencyKey ?? null,
      options: JSON.stringify(options),
      api_key_id: principal.keyId === "auth-disabled" ? null : principal.keyId,
      // The insert fails unless the key's controls are still as read (StaleKeyControlsError).
      controls_version: principal.controls?.version ?? null,
      workflow_run_id: claim,
    },
    acceptedData: { command: parameters.command, sessionId },
  });
  if (!inserted) {
    // A concurrent request with the same key won the insert.
    const existing = await findByIdempotencyKey(db, idempotencyKey!);
    return replay(db, existing!, fingerprint!);
  }
  if (acceptsWithOutbox()) {
    // Outbox accept (issue 17): the commit above is the durable accept; answer now and start the
    // workflow right after. A crash in between leaves a claimed row that startOrphanedRuns starts
    // once the claim is stale. The start waits for the API requests in hand (requestsFirst).
    // Durability tests: die after the 202 went out and before start().
    if (injectFault("after-accept", { runId }, 200)) return { run: inserted, created: true };
    void afterRequests()
      .then(() => startClaimed(db, inserted, claim))
      .catch((error: unknown) =>
        log.warn("start after accept failed; the orphan check will retry", { runId, error }),
      );
    return { run: inserted, created: true };
  }
  return { run: await startClaimed(db, inserted, claim), created: true };
}

/**
 * What defines the run a start asks for: its kind, command line, the session it names (none: a
 * new one) and its options (budget, approval threshold and timeout, the x402 URL, cap and tool,
 * the transfer). A subscription's id is minted per request, so only its presence counts.
 */
function requestFingerprint(parameters: StartRunParameters, options: RunOptions): string {
  const { subscriptionId, ...rest } = options;
  return hashRequest({
    kind: parameters.kind ?? "command",
    command: parameters.command,
    sessionId: parameters.sessionId ?? null,
    options: { ...rest, subscription: subscriptionId !== undefined },
  });
}

/**
 * The run stored under a used idempotency key, when this start asks for the same run; another
 * request under the key is a conflict. Runs stored before fingerprints existed are answered as
 * before.
 */
async function replay(
  db: Kysely<Database>,
  existing: Run,
  fingerprint: string,
): Promise<StartRunResult> {
  const stored = (existing.options as RunOptions | null)?.requestFingerprint;
  if (stored !== undefined && stored !== fingerprint) {
    throw new ClientError(
      "idempotency_conflict",
      "This idempotency key was already used for a different request; use a new key for a new request",
    );
  }
  return { run: await ensureWorkflowStarted(db, existing), created: false };
}

/** ACCEPT_OUTBOX, never on Vercel (a function may be frozen once its response is sent). */
function acceptsWithOutbox(): boolean {
  const config = getConfig();
  return config.ACCEPT_OUTBOX && !config.VERCEL_DEPLOYMENT_ID;
}

async function findByIdempotencyKey(db: Kysely<Database>, key: string): Promise<Run | undefined> {
  return db.selectFrom("runs").selectAll().where("idempotency_key", "=", key).executeTakeFirst();
}
