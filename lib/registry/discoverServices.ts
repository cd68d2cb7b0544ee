import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { cursorId } from "../http/cursorId.js";
import { decodeCursor } from "../http/decodeCursor.js";
import { encodeCursor } from "../http/encodeCursor.js";
import { validate } from "../http/validate.js";
import {
  DISCOVERY_TTL_SECONDS,
  digest,
  getRegistryVersion,
  resolveCache,
} from "./registryCache.js";
import {
  type DiscoverParameters,
  discoverParametersSchema,
  type discoverSorts,
} from "./schemas.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

export interface DiscoverServicesOptions {
  /** Cache holding discovery answers for DISCOVERY_TTL_SECONDS (default: the process cache). */
  cache?: Cache;
}

export interface DiscoverServicesReturnType {
  services: ServiceView[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
  /** True when the answer came from the cache. */
  cached: boolean;
}

/**
 * The last row's (sort value, id) under the sort it was made for: a cursor of the other sort would
 * compare a price with reputations. Both values reach the query, so both are checked.
 */
function cursorSchema(sort: (typeof discoverSorts)[number]) {
  return z.object({ s: z.literal(sort), v: z.string().regex(/^\d+(\.\d+)?$/), id: cursorId });
}

/** Escapes LIKE wildcards so user text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Finds services by category, text, price range, reputation and MCP support, best first
 * (or cheapest first), with keyset pagination so pages stay stable and cheap at any depth.
 * Answers are cached under the registry version, so any registry write invalidates them.
 */
export async function discoverServices(
  db: Kysely<Database>,
  parameters: DiscoverParameters = {},
  options: DiscoverServicesOptions = {},
): Promise<DiscoverServicesReturnType> {
  const params = validate(discoverParametersSchema, parameters, "discovery filters");
  const cache = await resolveCache(options.cache);
  // The answer carries the registry version it was computed at; reading both in parallel costs
  // one round trip (node-redis pipelines them) instead of two, and a write (new version) still
  // makes every stored answer stale at once.
  const key = `registry:discover:${digest(JSON.stringify(params))}`;
  const [version, hit] = await Promise.all([getRegistryVersion(cache), cache.get(key)]);
  if (hit !== null) {
    const stored = JSON.parse(hit) as {
      version: string;
      value: Omit<DiscoverServicesReturnType, "cached">;
    };
    if (stored.version === version) return { ...stored.value, cached: true };
  }

  const cursor =
    params.cursor === undefined
      ? undefined
      : decodeCursor(
          params.cursor,
          cursorSchema(params.sort),
          "pass nextCursor from the previous page with the same sort",
        );
  let query = db.selectFrom("services").selectAll();
  if (params.category) query = query.where("category", "=", params.category);
  if (params.q) {
    const pattern = `%${escapeLike(params.q)}%`;
    query = query.where((eb) =>
      eb.or([
        eb("name", "ilike", pattern),
        eb("description", "ilike", pattern),
        eb("category", "ilike", pattern),
      ]),
    );
  }
  if (params.priceAssets !== undefined) {
    query = query.where(sql<string>`lower(price_asset)`, "in", params.priceAssets);
  }
  if (params.minPrice !== undefined) query = query.where("price_amount", ">=", params.minPrice);
  if (params.maxPrice !== undefined) query = query.where("price_amount", "<=", params.maxPrice);
  if (params.minReputation !== undefined) {
    query = query.where("reputation", ">=", params.minReputation.toFixed(2));
  }
  if (params.mcp !== undefined) query = query.where("mcp_compatible", "=", params.mcp);
  if (params.sort === "reputation") {
    if (cursor) {
      query = query.where((eb) =>
        eb.or([
          eb("reputation", "<", cursor.v),
          eb.and([eb("reputation", "=", cursor.v), eb("id", ">", cursor.id)]),
        ]),
      );
    }
    query = query.orderBy("reputation", "desc").orderBy("id", "asc");
  } else {
    if (cursor) {
      query = query.where((eb) =>
        eb.or([
          eb("price_amount", ">", cursor.v),
          eb.and([eb("price_amount", "=", cursor.v), eb("id", ">", cursor.id)]),
        ]),
      );
    }
    query = query.orderBy("price_amount", "asc").orderBy("id", "asc");
  }
  const rows = await query.limit(params.limit + 1).execute();
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > params.limit && last
      ? encodeCursor({
          s: params.sort,
          v: String(params.sort === "reputation" ? last.reputation : last.price_amount),
          id: last.id,
        } satisfies z.input<ReturnType<typeof cursorSchema>>)
      : null;
  const value = { services: page.map(toServiceView), nextCursor };
  await cache.set(key, JSON.stringify({ version, value }), { ttlSeconds: DISCOVERY_TTL_SECONDS });
  return { ...value, cached: false };
}
