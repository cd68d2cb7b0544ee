import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { finishReservation } from "../../policy/windows/finishReservation.js";

/**
 * Settles (the renewal paid) or releases (it never will) the renewal's policy window reservation,
 * like its budget reservation; an unclear outcome calls neither. No reservation is a no-op.
 */
export async function finishRenewalWindows(
  db: Kysely<Database>,
  parameters: { reservationId: string; outcome: "settle" | "release"; actualAmount?: bigint },
): Promise<void> {
  try {
    await finishReservation({
      db,
      reservationId: parameters.reservationId,
      outcome: parameters.outcome,
      ...(parameters.actualAmount === undefined ? {} : { actualAmount: parameters.actualAmount }),
    });
  } catch (error) {
    // Already finished the other way (a late settlement booked it first): logged, never a reason
    // to fail a renewal whose money already moved or did not.
    log.warn("renewal policy reservation not finished", {
      reservationId: parameters.reservationId,
      outcome: parameters.outcome,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
