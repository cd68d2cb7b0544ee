import type { Kysely } from "kysely";

/**
 * The EIP-3009 authorization a payment row stands for, persisted before the first send so a
 * retried step re-signs byte-identical data (same window, same terms) instead of a new one, and
 * the block to start from when looking for its AuthorizationUsed event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("payments")
    .addColumn("valid_after", "numeric(78, 0)")
    .addColumn("valid_before", "numeric(78, 0)")
    .addColumn("requirement", "jsonb")
    .addColumn("search_from_block", "numeric(78, 0)")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("payments")
    .dropColumn("valid_after")
    .dropColumn("valid_before")
    .dropColumn("requirement")
    .dropColumn("search_from_block")
    .execute();
}
