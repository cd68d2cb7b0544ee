import type { Kysely } from "kysely";

/**
 * The paid content (status, content type, body ≤ 64 KB) kept with a settled payment, so a step
 * retried after the row was marked settled still returns what was bought instead of nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("payments").addColumn("response", "jsonb").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("payments").dropColumn("response").execute();
}
