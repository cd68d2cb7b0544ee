import type { Kysely } from "kysely";
import type { Hex } from "viem";
import { holdReservationForSend, ledgerId, type ReservationKey } from "../budget/index.js";
import type { Database, Payment } from "../db/database.js";
import { markPaymentSent } from "./paymentRecords.js";

/**
 * Marks a signed authorization as leaving the process, under the budget fence of its reservation
 * (holdReservationForSend): another delivery of the step may have failed its row and given the
 * reservation back since this one wrote it, and a row alone keeps a release away only while it is
 * unfailed. Refused (BudgetReservationError) → the authorization must not be sent.
 */
export async function markSentWithinReservation(
  db: Kysely<Database>,
  parameters: { nonce: Hex; reservation: ReservationKey | undefined },
): Promise<Payment> {
  return db.transaction().execute(async (trx) => {
    if (parameters.reservation) await holdReservationForSend(trx, ledgerId(parameters.reservation));
    return markPaymentSent(trx, parameters.nonce);
  });
}
