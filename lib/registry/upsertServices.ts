import { type Insertable, type Kysely, sql } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database, ServicesTable } from "../db/database.js";
import { requireEndpointKey } from "./endpointKey.js";
import { bumpRegistryVersion, resolveCache } from "./registryCache.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

/**
 * Inserts seeded services, or updates the declared fields of those already registered under the
 * same name, keeping their ids, call counts and reputation; then invalidates discovery answers.
 * Shared by the devnet demo seed and the curated network seed, so re-running either is safe.
 */
export async function upsertServices(
  db: Kysely<Database>,
  rows: Omit<Insertable<ServicesTable>, "endpoint_key">[],
  options: { cache?: Cache } = {},
): Promise<ServiceView[]> {
  const views: ServiceView[] = [];
  for (const service of rows) {
    const row = await db
      .insertInto("services")
      .values({ ...service, endpoint_key: requireEndpointKey(service.endpoint) })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({
          description: sql`excluded.description`,
          category: sql`excluded.category`,
          endpoint: sql`excluded.endpoint`,
          endpoint_key: sql`excluded.endpoint_key`,
          pricing_model: sql`excluded.pricing_model`,
          price_amount: sql`excluded.price_amount`,
          price_asset: sql`excluded.price_asset`,
          price_network: sql`excluded.price_network`,
          mcp_compatible: sql`excluded.mcp_compatible`,
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    views.push(toServiceView(row));
  }
  await bumpRegistryVersion(await resolveCache(options.cache));
  return views;
}
