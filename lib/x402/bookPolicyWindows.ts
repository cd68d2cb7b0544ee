import type { Kysely } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/database.js";
import { errorKind } from "../errors/index.js";
import { log } from "../log.js";
import { finishReservation } from "../policy/windows/finishReservation.js";

/** Inputs of bookPolicyWindows. */
export interface BookPolicyWindowsParameters {
  db: Kysely<Database>;
  cache?: Cache | undefined;
  /** The step's reservation id, `${runId}:${stepIndex}` (the policy ledger uses the same ids). */
  reservationId: string;
  outcome: "settle" | "release";
  /** Settled: what really left the wallet, base units of the reserved token. */
  actualAmount?: bigint | undefined;
}

/**
 * Books a payment's late outcome against its key's policy windows (the policy_reservations
 * ledger): settled at the real amount, or released when it was cancelled or expired. Nothing to do
 * when the step had no window reservation. A window reservation already released cannot be
 * settled (finishReservation refuses it): that only happens when something released it while the
 * authorization could still be used, which this design never does; it is logged as an error so an
 * operator sees the window under-counts, and the session ledger (bookSettledSpend) still books it.
 */
export async function bookPolicyWindows(
  parameters: BookPolicyWindowsParameters,
): Promise<"settled" | "released" | "none" | "refused"> {
  try {
    const row = await finishReservation({
      db: parameters.db,
      ...(parameters.cache ? { cache: parameters.cache } : {}),
      reservationId: parameters.reservationId,
      outcome: parameters.outcome,
      ...(parameters.actualAmount === undefined ? {} : { actualAmount: parameters.actualAmount }),
    });
    if (!row) return "none";
    return parameters.outcome === "settle" ? "settled" : "released";
  } catch (error) {
    if (errorKind(error) !== "conflict") throw error;
    log.error("late payment outcome not booked in the policy windows", {
      reservationId: parameters.reservationId,
      outcome: parameters.outcome,
      error: error instanceof Error ? error.message : String(error),
    });
    return "refused";
  }
}
