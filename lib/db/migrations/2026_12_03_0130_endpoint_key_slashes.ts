import type { Kysely } from "kysely";
import { endpointKey } from "../../registry/endpointKey.js";

/**
 * Recomputes services.endpoint_key with endpointKey as it now is: runs of slashes in a path are one
 * (`https://h//v1//quote` is `https://h/v1/quote`), so a policy naming a service by id holds for
 * those spellings too. Keys are computed in TypeScript, as in 0110.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const rows: { id: string; endpoint: string; endpoint_key: string }[] = await db
    .selectFrom("services")
    .select(["id", "endpoint", "endpoint_key"])
    .execute();
  for (const row of rows) {
    const key = endpointKey(row.endpoint) ?? row.endpoint;
    if (key === row.endpoint_key) continue;
    await db.updateTable("services").set({ endpoint_key: key }).where("id", "=", row.id).execute();
  }
}

/** Nothing to undo: a key made by the newer function only ever names the same resource. */
export async function down(): Promise<void> {}
