import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { releaseUnsentSpend } from "../../runs/execute/releaseUnsentSpend.js";
import type { StepEvidence } from "../../runs/execute/stepEvidence.js";

/**
 * Gives back a renewal's budget and policy window reservations once the renewal is over (the
 * subscription ends or stops), but only when nothing it sent may still land: a signed
 * authorization keeps both until the chain answers (bookPaymentOutcome then books them). Only at
 * the end: both ledgers replay an id whatever its status, so a released reservation that a later
 * attempt of the same renewal reused would let it pay uncounted. Idempotent; no reservation is a
 * no-op. Returns the evidence it decided by.
 */
export async function releaseUnsentRenewal(
  db: Kysely<Database>,
  parameters: { stepId: string; key: { runId: string; stepIndex: number } },
): Promise<StepEvidence["state"]> {
  // The attempt's window reservation shares its ledger id (renewalAttempt), so the step release
  // serves both, with its guard against a send that a duplicate delivery fences meanwhile.
  const { key, stepId } = parameters;
  return (await releaseUnsentSpend(db, { runId: key.runId, index: key.stepIndex, stepId })).state;
}
