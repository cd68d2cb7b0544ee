import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { BudgetReservationError } from "./errors.js";

/**
 * The fence between a step's budget and the moment its money leaves. Call it in the transaction
 * that writes the record kept before anything is signed or broadcast (a payments or
 * chain_transactions row): the step's ledger row is locked and its version (`updated_at`) moved,
 * so a release decided on evidence read before that record existed no longer matches
 * (releaseBudget's `unchangedSince`) and cannot give the budget back under a send.
 *
 * Refuses (BudgetReservationError, conflict) when the reservation is no longer held: a background
 * pass released it (its run ended) or another delivery of the step finished it. Without a ledger
 * row (nothing was reserved for this id) there is nothing to fence.
 */
export async function holdReservationForSend(
  trx: Kysely<Database>,
  ledgerRowId: string,
): Promise<void> {
  const row = await trx
    .updateTable("spend_ledger")
    .set({
      // clock_timestamp(), not now(): a new version even within the transaction that reserved;
      // and at least a microsecond later, since PGlite's clock ticks in milliseconds.
      updated_at: sql`case when status = 'reserved'
        then greatest(clock_timestamp(), updated_at + interval '1 microsecond')
        else updated_at end`,
    })
    .where("id", "=", ledgerRowId)
    .returning("status")
    .executeTakeFirst();
  if (row && row.status !== "reserved") {
    throw new BudgetReservationError(
      "conflict",
      `Budget reservation ${ledgerRowId} is ${row.status}: nothing may be sent against it`,
    );
  }
}
