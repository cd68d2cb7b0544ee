import type { Kysely } from "kysely";

/**
 * What a chain_transactions row stands for, so a retried step can prove it is the same operation
 * and resend byte-identical data: the signed raw transaction (rebroadcast when the node lost it,
 * never re-signed), the token and amount, and kind-specific details (swap path, minimum out, result).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("chain_transactions")
    .addColumn("raw_transaction", "text")
    .addColumn("token", "text")
    .addColumn("amount", "numeric(78, 0)")
    .addColumn("details", "jsonb")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("chain_transactions")
    .dropColumn("raw_transaction")
    .dropColumn("token")
    .dropColumn("amount")
    .dropColumn("details")
    .execute();
}
