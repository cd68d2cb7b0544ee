import { type Kysely, sql } from "kysely";

/**
 * Outbound notifications as a transactional outbox: an event inserts one delivery row per
 * subscribed endpoint in the same transaction as the change it reports, and the background checks
 * send due rows (signed), retrying with backoff for up to 24 hours. Every attempt is logged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("notification_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", "jsonb", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("disabled_at", "timestamptz")
    .execute();

  await db.schema
    .createTable("notification_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("endpoint_id", "text", (c) => c.notNull().references("notification_endpoints.id"))
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull()) // the exact JSON that is signed and sent
    .addColumn("status", "text", (c) => c.notNull()) // pending | delivered | failed
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull())
    .addColumn("locked_until", "timestamptz")
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("delivered_at", "timestamptz")
    .addUniqueConstraint("notification_deliveries_once", ["endpoint_id", "event_id"])
    .execute();
  await sql`create index notification_deliveries_due_idx
    on notification_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await db.schema
    .createIndex("notification_deliveries_created_idx")
    .on("notification_deliveries")
    .columns(["created_at", "id"])
    .execute();

  await db.schema
    .createTable("notification_attempts")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("delivery_id", "text", (c) => c.notNull().references("notification_deliveries.id"))
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("started_at", "timestamptz", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .execute();
  await db.schema
    .createIndex("notification_attempts_delivery_idx")
    .on("notification_attempts")
    .columns(["delivery_id", "attempt"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notification_attempts").ifExists().execute();
  await db.schema.dropTable("notification_deliveries").ifExists().execute();
  await db.schema.dropTable("notification_endpoints").ifExists().execute();
}
