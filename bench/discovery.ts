import { performance } from "node:perf_hooks";
import type { Cache } from "../lib/cache/index.js";
import { createMemoryCache } from "../lib/cache/index.js";
import { requireEndpointKey } from "../lib/registry/endpointKey.js";
import { discoverServices } from "../lib/registry/index.js";
import { bumpRegistryVersion } from "../lib/registry/registryCache.js";
import { createTestDb } from "../tests/helpers/db.js";
import { isPortOpen, LOCAL_REDIS_URL } from "../tests/helpers/services.js";
import { type BenchRow, percentile, round } from "./stats.js";

const SERVICES = 500;
const SAMPLES = 300;
const CATEGORIES = ["market-data", "weather", "news", "ai", "storage"];

/** Times `samples` sequential calls; returns p50 and p95 in milliseconds. */
async function time(
  samples: number,
  call: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call(i);
    ms.push(performance.now() - started);
  }
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

/**
 * Service discovery on a scratch Postgres holding 500 services: a cached answer (memory cache,
 * and TCP Redis when reachable) against an uncached one (the registry version bumped before each
 * call, so every call runs the keyset query). Filters rotate over 5 realistic queries.
 */
export async function run(): Promise<BenchRow[]> {
  const testDb = await createTestDb("pg");
  const rows: BenchRow[] = [];
  try {
    await testDb.db
      .insertInto("services")
      .values(
        Array.from({ length: SERVICES }, (_, i) => ({
          id: `svc_bench_${String(i).padStart(4, "0")}`,
          name: `Bench Service ${i}`,
          description: i % 7 === 0 ? "realtime price oracle" : "demo data feed",
          category: CATEGORIES[i % CATEGORIES.length]!,
          endpoint: `http://127.0.0.1:9/bench/${i}`,
          endpoint_key: requireEndpointKey(`http://127.0.0.1:9/bench/${i}`),
          pricing_model: "pay-per-call" as const,
          price_amount: String(1000 + ((i * 7919) % 200_000)),
          price_asset: "0xc01efaaf7c5c61bebfaeb358e1161b537b8bc0e0",
          price_network: "eip155:338",
          mcp_compatible: i % 3 === 0,
          reputation: (1 + ((i * 37) % 400) / 100).toFixed(2),
        })),
      )
      .execute();
    const queries = [
      { category: "market-data", limit: 20 },
      { category: "weather", maxPrice: "100000", sort: "price" as const },
      { q: "oracle", minReputation: 3 },
      { mcp: true, limit: 50 },
      { category: "ai", minPrice: "5000", maxPrice: "150000", minReputation: 2.5 },
    ];
    const caches: [string, Cache][] = [["memory", createMemoryCache()]];
    if (await isPortOpen(LOCAL_REDIS_URL, 6379)) {
      const { createRedisCache } = await import("../lib/cache/redis.js");
      caches.push(["redis", await createRedisCache({ url: LOCAL_REDIS_URL })]);
    }
    for (const [kind, cache] of caches) {
      await bumpRegistryVersion(cache);
      const query = (i: number) =>
        discoverServices(testDb.db, queries[i % queries.length], { cache });
      for (let i = 0; i < 20; i++) await query(i); // warm-up: fills the cache and the pool
      const cached = await time(SAMPLES, query);
      const uncached = await time(SAMPLES / 3, async (i) => {
        await bumpRegistryVersion(cache);
        return query(i);
      });
      rows.push(
        { name: `discover cached p50 (${kind} cache)`, value: cached.p50, unit: "ms" },
        {
          name: `discover cached p95 (${kind} cache)`,
          value: cached.p95,
          unit: "ms",
          target: "≤ 5 ms",
        },
        { name: `discover uncached p50 (Postgres, ${kind})`, value: uncached.p50, unit: "ms" },
        { name: `discover uncached p95 (Postgres, ${kind})`, value: uncached.p95, unit: "ms" },
      );
      if (kind === "redis") await cache.close();
    }
  } finally {
    await testDb.dispose();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run())
    console.log(`${row.name}: ${row.value} ${row.unit} ${row.target ?? ""}`);
  process.exit(0);
}
