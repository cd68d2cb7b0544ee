import { type Kysely, sql } from "kysely";

/**
 * price_marks: the highest and lowest pool price of each non-stable token seen in each hour
 * (lib/policy/prices). Policy checks value a spend at the window's high and a limit's token at its
 * low, so a pool pushed for a moment cannot make a spend look smaller than it was (issue 13).
 * Prices are micro-dollars per whole token, scaled by 10¹² (PRICE_SCALE) to keep the precision of
 * tokens worth fractions of a micro-dollar.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("price_marks")
    .addColumn("network", "text", (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("hour", "timestamptz", (c) => c.notNull())
    .addColumn("high", "numeric", (c) => c.notNull())
    .addColumn("low", "numeric", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("price_marks_pkey", ["network", "token", "hour"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("price_marks").execute();
}
