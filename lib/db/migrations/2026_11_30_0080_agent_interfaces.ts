import { type Kysely, sql } from "kysely";

/**
 * Agent interfaces (issue 15):
 * - services.tools: per-tool prices of an MCP service ([{name, description, price}]), null for
 *   plain HTTP services; services.source/imported_from/imported_at/tags: where an entry came from,
 *   so entries imported from a Bazaar catalogue (untrusted) are told apart from curated ones;
 * - payments.offer/receipt: the signed offer and receipt (x402 offer-receipt extension) a server
 *   gave for this payment, kept as evidence;
 * - facilitator_catalogue: what the devnet facilitator's Bazaar discovery endpoint lists beyond the
 *   demo resources (resources catalogued as the facilitator saw them; entries are unvalidated).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("services")
    .addColumn("tools", "jsonb")
    .addColumn("source", "text", (c) => c.notNull().defaultTo("registry"))
    .addColumn("imported_from", "text")
    .addColumn("imported_at", "timestamptz")
    .addColumn("tags", "jsonb")
    .execute();
  await db.schema
    .alterTable("payments")
    .addColumn("offer", "jsonb")
    .addColumn("receipt", "jsonb")
    .execute();
  await db.schema
    .createTable("facilitator_catalogue")
    .addColumn("resource", "text", (c) => c.primaryKey())
    .addColumn("entry", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("facilitator_catalogue").execute();
  await db.schema.alterTable("payments").dropColumn("offer").dropColumn("receipt").execute();
  await db.schema
    .alterTable("services")
    .dropColumn("tools")
    .dropColumn("source")
    .dropColumn("imported_from")
    .dropColumn("imported_at")
    .dropColumn("tags")
    .execute();
}
