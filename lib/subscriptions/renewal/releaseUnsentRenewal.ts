import type { Kysely } from "kysely";
import { readLedgerVersion } from "../../budget/readLedgerVersion.js";
import { releaseBudget } from "../../budget/releaseBudget.js";
import type { Database } from "../../db/database.js";
import { type StepEvidence, stepEvidence } from "../../runs/execute/stepEvidence.js";
import { finishRenewalWindows } from "./finishRenewalWindows.js";

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
  parameters: { stepId: string; key: { runId: string; stepIndex: number }; reservationId: string },
): Promise<StepEvidence["state"]> {
  // The version before the evidence: a duplicate delivery of the renewal step that fences a send
  // in between keeps the reservation (see releaseUnsentSpend).
  const before = await readLedgerVersion(db, parameters.key);
  const evidence = await stepEvidence(db, parameters.stepId);
  if (evidence.state !== "nothing") return evidence.state;
  if (before?.status === "reserved") {
    const after = await releaseBudget({ db, ...parameters.key, unchangedSince: before.version });
    if (after?.status !== "released") return "pending";
  }
  await finishRenewalWindows(db, { reservationId: parameters.reservationId, outcome: "release" });
  return evidence.state;
}
