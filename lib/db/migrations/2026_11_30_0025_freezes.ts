import { type Kysely, sql } from "kysely";

/**
 * Freezes: while a row exists for the wallet ("wallet") or a key ("key:<id>"), no money moves on
 * its behalf. Unfreezing deletes the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("freezes")
    .addColumn("target", "text", (c) => c.primaryKey())
    .addColumn("reason", "text")
    .addColumn("frozen_by", "text")
    .addColumn("frozen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("freezes").ifExists().execute();
}
