import { type Kysely, sql } from "kysely";

/**
 * A signed authorization is exposure until the chain proves what became of it (issue 14).
 * - sent_at: when the signed authorization first left the process; NULL proves nothing was sent,
 *   so only such a payment may be called "failed" and release its reservation.
 * - payee_failed: the payee answered a failure after receiving the signature (500, 402 again,
 *   200 without settling); such an authorization is cancelled on chain when the token allows it.
 * - unknown_since: the payment became "unknown" at this instant; its outcome is then booked by the
 *   reconciler (resolveUnknownPayments) and booked_at records that it was.
 * - cancel_tx_hash: the EIP-3009 cancelAuthorization transaction, once sent.
 * - reservation_run_id / reservation_step_index: the spend_ledger reservation the payment counts
 *   against, so a late settlement is booked (or a cancellation released) on the right row.
 * Statuses gain "unknown", "cancelled" and "expired" (the column is text, no constraint to change).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("payments")
    .addColumn("sent_at", "timestamptz")
    .addColumn("payee_failed", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("unknown_since", "timestamptz")
    .addColumn("booked_at", "timestamptz")
    .addColumn("cancel_tx_hash", "text")
    .addColumn("reservation_run_id", "text")
    .addColumn("reservation_step_index", "integer")
    .execute();
  // The reconciler's work list stays small: only payments whose outcome it still owes.
  await db.schema
    .createIndex("payments_unresolved_idx")
    .on("payments")
    .column("updated_at")
    .where(sql.ref("unknown_since"), "is not", null)
    .where(sql.ref("booked_at"), "is", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("payments_unresolved_idx").execute();
  await db.schema
    .alterTable("payments")
    .dropColumn("sent_at")
    .dropColumn("payee_failed")
    .dropColumn("unknown_since")
    .dropColumn("booked_at")
    .dropColumn("cancel_tx_hash")
    .dropColumn("reservation_run_id")
    .dropColumn("reservation_step_index")
    .execute();
}
