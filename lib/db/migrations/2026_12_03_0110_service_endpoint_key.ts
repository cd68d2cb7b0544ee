import type { Kysely } from "kysely";
import { endpointKey } from "../../registry/endpointKey.js";

/**
 * services.endpoint_key: the normalized form of the endpoint (lib/registry/endpointKey.ts), so a
 * URL finds its service however it is spelled (host case, default port, query, trailing slash)
 * with an indexed equality. The key is computed in TypeScript, not SQL, so stored keys and
 * looked-up keys come from one function; existing rows are backfilled here with it. A later
 * change to endpointKey needs a migration that recomputes the column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("services").addColumn("endpoint_key", "text").execute();
  const rows: { id: string; endpoint: string }[] = await db
    .selectFrom("services")
    .select(["id", "endpoint"])
    .execute();
  for (const row of rows) {
    // The registry only ever stored http(s) URLs; anything else keeps its text and matches nothing.
    const key = endpointKey(row.endpoint) ?? row.endpoint;
    await db.updateTable("services").set({ endpoint_key: key }).where("id", "=", row.id).execute();
  }
  await db.schema
    .alterTable("services")
    .alterColumn("endpoint_key", (c) => c.setNotNull())
    .execute();
  // Not unique: two services may share an endpoint (see closestEndpointMatch).
  await db.schema
    .createIndex("services_endpoint_key_idx")
    .on("services")
    .column("endpoint_key")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("services_endpoint_key_idx").execute();
  await db.schema.alterTable("services").dropColumn("endpoint_key").execute();
}
