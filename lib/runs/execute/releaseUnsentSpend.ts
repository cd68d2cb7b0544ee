import type { Kysely } from "kysely";
import { readLedgerVersion, releaseBudget } from "../../budget/index.js";
import type { Database } from "../../db/database.js";
import { finishPolicySpend } from "./policyGate.js";
import { type StepEvidence, stepEvidence } from "./stepEvidence.js";

/**
 * Gives a step's budget and policy-window reservations back when nothing it sent may still land,
 * and answers the evidence that decided it. The reservation's version is read before the
 * evidence, and the release goes through only if it is unchanged: a send fenced since
 * (holdReservationForSend), by a second delivery of the step or by the step of a cancelled run
 * that is still running, keeps the reservation, and the answer is then "pending".
 *
 * `stepId`: where the step keeps its payments and transactions, when that is not the ledger id
 * `${runId}:${index}` (renewals pay under their own step ids).
 */
export async function releaseUnsentSpend(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; stepId?: string },
): Promise<StepEvidence> {
  const { runId, index } = parameters;
  const before = await readLedgerVersion(db, { runId, stepIndex: index });
  const evidence = await stepEvidence(db, parameters.stepId ?? `${runId}:${index}`);
  if (evidence.state !== "nothing" || before?.status === "settled") return evidence;
  if (before?.status === "reserved") {
    const after = await releaseBudget({
      db,
      runId,
      stepIndex: index,
      unchangedSince: before.version,
    });
    if (after?.status !== "released")
      return { state: "pending", detail: "a send of this step began while it was being released" };
  }
  await finishPolicySpend(db, { runId, index, outcome: "release" });
  return evidence;
}
