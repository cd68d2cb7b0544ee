import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import {
  type BudgetReservation,
  ledgerId,
  type ReservationKey,
  selectLedger,
  toReservation,
} from "./reservation.js";

/** A step's reservation as it stands, or undefined when the step never reserved. */
export async function findReservation(
  db: Kysely<Database>,
  key: ReservationKey,
): Promise<BudgetReservation | undefined> {
  const row = await selectLedger(db.selectFrom("spend_ledger"))
    .where("id", "=", ledgerId(key))
    .executeTakeFirst();
  return row ? toReservation(row) : undefined;
}
