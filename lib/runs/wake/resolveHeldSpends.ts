import type { Kysely } from "kysely";
import { settleBudget } from "../../budget/index.js";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { RENEWAL_ATTEMPT_STRIDE } from "../../subscriptions/renewal/renewalReservationKey.js";
import { bookFailedStepGas } from "../execute/bookFailedStepGas.js";
import { finishPolicySpend } from "../execute/policyGate.js";
import { releaseUnsentSpend } from "../execute/releaseUnsentSpend.js";
import type { StepEvidence } from "../execute/stepEvidence.js";
import { terminalRunStatuses } from "../runState.js";
import { workflowEnded } from "./workflowStatus.js";

/** What a pass over held reservations did. */
export interface HeldSpendsResult {
  settled: number;
  released: number;
  /** Still reserved: something the step sent may still land. */
  held: number;
}

/** A reservation left `reserved` that a pass may settle or release. */
interface HeldReservation {
  id: string;
  run_id: string;
  kind: string;
}

/**
 * Settles or releases one run's reserved budget by what its steps did: money that moved is
 * settled, a step whose transaction or authorization may still land keeps its reservation, and
 * only a step that sent nothing (or whose sending can no longer execute) gives it back. Call it
 * only when no step of the run can still be running (its workflow ended).
 */
export async function resolveRunSpends(
  db: Kysely<Database>,
  runId: string,
): Promise<HeldSpendsResult> {
  const rows = await db
    .selectFrom("spend_ledger")
    .innerJoin("runs", "runs.id", "spend_ledger.run_id")
    .select(["spend_ledger.id", "spend_ledger.run_id", "runs.kind"])
    .where("spend_ledger.run_id", "=", runId)
    .where("spend_ledger.status", "=", "reserved")
    .execute();
  return resolveAll(db, rows);
}

/**
 * The periodic pass: reservations still held by runs that ended (failed, cancelled, or
 * completed with a step cut short) are settled or released once the chain has answered. Rows
 * touched in the last `quietMs` are left alone (a step may be between reserving and sending).
 */
export async function resolveHeldSpends(
  db: Kysely<Database>,
  options: { limit?: number; quietMs?: number } = {},
): Promise<HeldSpendsResult> {
  const cutoff = new Date(Date.now() - (options.quietMs ?? 60_000));
  const rows = await db
    .selectFrom("spend_ledger")
    .innerJoin("runs", "runs.id", "spend_ledger.run_id")
    .select(["spend_ledger.id", "spend_ledger.run_id", "runs.kind", "runs.workflow_run_id"])
    .where("spend_ledger.status", "=", "reserved")
    .where("runs.status", "in", terminalRunStatuses)
    .where("spend_ledger.updated_at", "<", cutoff)
    .orderBy("spend_ledger.updated_at")
    .limit(options.limit ?? 20)
    .execute();
  const ended: HeldReservation[] = [];
  for (const row of rows) {
    // A cancelled run's in-flight step may still be running: wait for its workflow to end.
    if (!row.workflow_run_id || (await workflowEnded(row.workflow_run_id)) !== false)
      ended.push(row);
  }
  const result = await resolveAll(db, ended);
  return { ...result, held: result.held + rows.length - ended.length };
}

async function resolveAll(
  db: Kysely<Database>,
  rows: HeldReservation[],
): Promise<HeldSpendsResult> {
  const result: HeldSpendsResult = { settled: 0, released: 0, held: 0 };
  for (const row of rows) {
    const stepIndex = Number(row.id.slice(row.run_id.length + 1));
    // Renewals pay under their own step ids, one per renewal number; a renewal's later attempts
    // reserve under that number plus a multiple of the stride (renewalReservationKey).
    const stepId =
      row.kind === "subscription"
        ? `${row.run_id}:renewal:${stepIndex % RENEWAL_ATTEMPT_STRIDE}`
        : row.id;
    let evidence: StepEvidence;
    try {
      // Released here when nothing was sent, unless a send is fenced meanwhile (then "pending").
      evidence = await releaseUnsentSpend(db, { runId: row.run_id, index: stepIndex, stepId });
      if (evidence.state === "landed") {
        await settleBudget({ db, runId: row.run_id, stepIndex, actualAmount: evidence.amount });
        await finishPolicySpend(db, {
          runId: row.run_id,
          index: stepIndex,
          outcome: "settle",
          actualAmount: evidence.amount,
        });
        result.settled++;
      } else if (evidence.state === "nothing") {
        result.released++;
      } else {
        result.held++;
      }
    } catch (error) {
      // The chain or the database did not answer: the reservation stays until a later pass.
      log.warn("could not resolve a held reservation", { ledgerId: row.id, error });
      result.held++;
      continue;
    }
    if (evidence.state !== "pending") {
      log.info("held reservation resolved", { ledgerId: row.id, outcome: evidence.state });
      // The step's transactions that mined after its run ended (landed, or reverted) paid gas the
      // step never got to book. Idempotent; a failure leaves the reservation's outcome standing.
      if (row.kind !== "subscription") {
        await bookFailedStepGas(db, { runId: row.run_id, stepId }).catch((error: unknown) =>
          log.warn("could not book a resolved step's gas", { ledgerId: row.id, error }),
        );
      }
    }
  }
  return result;
}
