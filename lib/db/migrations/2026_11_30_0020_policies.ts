import { type Kysely, sql } from "kysely";

/**
 * Policies and their versions. A policy row names the current version; every change inserts a
 * new policy_versions row, so a decision can always be traced to the exact document it used.
 * Deleting only marks the policy: past decisions keep referring to its versions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("policies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("current_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await db.schema
    .createTable("policy_versions")
    .addColumn("policy_id", "text", (c) => c.notNull().references("policies.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("document", "jsonb", (c) => c.notNull())
    .addColumn("created_by", "text") // api key id of the admin who wrote it
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("policy_versions_pk", ["policy_id", "version"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("policy_versions").ifExists().execute();
  await db.schema.dropTable("policies").ifExists().execute();
}
