import { type Kysely, sql } from "kysely";

/**
 * The durable record of policy windows and decisions.
 * - policy_reservations: one row per money-moving action (reserved → settled | released), with
 *   what it charges every window unit at reservation time (`charges`: unit → base units/micro-USD).
 *   Rolling windows sum the rows reserved within the period; Redis counters are rebuilt from them.
 * - policy_subject_locks: the row a Postgres reservation locks, one per subject (API key).
 * - policy_decisions: which rule allowed, held or refused each action, under which policy version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("policy_reservations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("policy_id", "text")
    .addColumn("policy_version", "integer")
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("amount", "numeric(78, 0)", (c) => c.notNull())
    .addColumn("usd_micros", "numeric(78, 0)")
    .addColumn("charges", "jsonb", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // reserved | settled | released
    .addColumn("reserved_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("policy_reservations_subject_idx")
    .on("policy_reservations")
    .columns(["subject", "reserved_at"])
    .execute();
  await db.schema
    .createIndex("policy_reservations_run_idx")
    .on("policy_reservations")
    .column("run_id")
    .execute();

  await db.schema
    .createTable("policy_subject_locks")
    .addColumn("subject", "text", (c) => c.primaryKey())
    .execute();

  await db.schema
    .createTable("policy_decisions")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("reservation_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("policy_id", "text")
    .addColumn("policy_version", "integer")
    .addColumn("outcome", "text", (c) => c.notNull()) // allow | hold | refuse
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("required_approvals", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("granted_approvals", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("usd_micros", "numeric(78, 0)")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A retried gate records the same decision once.
  await sql`create unique index policy_decisions_once_idx
    on policy_decisions (reservation_id, outcome, rule, granted_approvals)`.execute(db);
  await db.schema
    .createIndex("policy_decisions_run_idx")
    .on("policy_decisions")
    .column("run_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("policy_decisions").ifExists().execute();
  await db.schema.dropTable("policy_subject_locks").ifExists().execute();
  await db.schema.dropTable("policy_reservations").ifExists().execute();
}
