import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { type ActionResult, executeActionStep } from "./executeAction.js";

/**
 * After a chain or payment event (or the wait's timeout): run the action again. It is idempotent
 * by step id, so it finds the transaction or payment it already sent and records the outcome.
 */
export async function confirmActionStep(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; token: string; timedOut: boolean },
): Promise<ActionResult> {
  return executeActionStep(db, {
    runId: parameters.runId,
    index: parameters.index,
    resume: true,
    finalAttempt: parameters.timedOut,
  });
}
