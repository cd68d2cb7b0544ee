import { type Kysely, sql } from "kysely";

/**
 * Idempotency-Key records (issue 20, ACP §5 / the IETF httpapi draft), written by endpoint() for
 * endpoints that declare `idempotency`. One row per (principal, operation, key):
 * - request_hash: sha256 of the request body; the same key with another body is refused (422);
 * - locked_until: set while the first request is in flight (409 + Retry-After until then; a
 *   crashed request's lock lapses so its retry can proceed);
 * - response_*: the stored answer replayed to retries (Idempotent-Replayed: true);
 * - expires_at: at least 24 h after the first request; an expired key starts afresh.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    .addColumn("principal", "text", (c) => c.notNull())
    .addColumn("operation", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("locked_until", "timestamptz")
    .addColumn("response_status", "integer")
    .addColumn("response_headers", "jsonb")
    .addColumn("response_body", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pkey", ["principal", "operation", "key"])
    .execute();
  await db.schema
    .createIndex("idempotency_keys_expires_idx")
    .on("idempotency_keys")
    .column("expires_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("idempotency_keys").execute();
}
