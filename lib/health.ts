import { sql } from "kysely";
import { getCache } from "./cache/index.js";
import { getConfig } from "./config.js";
import { getDb } from "./db/index.js";

/** Each part is "ok" or a short reason it is not. */
export interface HealthReport {
  status: "ok" | "degraded";
  database: string;
  cache: string;
  world: string;
  chain: string;
  details: { database: string; cache: string; world: string; network: string };
}

/** A well-formed run id no run has (ULID of time zero). */
const HEALTH_PROBE_RUN_ID = "wrun_00000000000000000000000000";

/**
 * Checks every backing part with a short timeout; the report never carries URLs or secrets. Every
 * call probes them all (the RPC included): the public route shares one call among its callers
 * (api/health.ts, HEALTH_CACHE_MS).
 */
export async function checkHealth(): Promise<HealthReport> {
  const config = getConfig();
  const [database, cache, world, chain] = await Promise.all([
    probe(async () => {
      const db = await getDb();
      await sql`select 1`.execute(db);
    }),
    probe(async () => (await getCache()).ping()),
    probe(async () => {
      const { getWorld } = await import("workflow/runtime");
      // A read of one (absent) run: "not found" is the world answering. Not runs.list: the local
      // world reads and validates every run file to return one, so with history the probe took
      // seconds and health stayed 503 (a host on 10,000 runs never became healthy; issue 17).
      await getWorld()
        .runs.get(HEALTH_PROBE_RUN_ID, { resolveData: "none" })
        .catch((error: unknown) => {
          const { name, status } = (error ?? {}) as { name?: string; status?: number };
          if (name !== "WorkflowRunNotFoundError" && status !== 404) throw error;
        });
    }),
    probe(async () => {
      const { getChainContext } = await import("./chain/clients.js");
      await getChainContext().publicClient.getBlockNumber();
    }),
  ]);
  const databaseDriver = !config.DATABASE_URL ? "pglite" : (config.DATABASE_DRIVER ?? "postgres");
  const cacheKind = await getCache().then(
    (c) => c.kind,
    () => "unavailable",
  );
  return {
    status: [database, cache, world, chain].every((part) => part === "ok") ? "ok" : "degraded",
    database,
    cache,
    world,
    chain,
    details: {
      database: databaseDriver,
      cache: cacheKind,
      world: config.WORKFLOW_TARGET_WORLD ?? (config.VERCEL_DEPLOYMENT_ID ? "vercel" : "local"),
      network: config.PAYGENT_NETWORK,
    },
  };
}

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return "ok";
  } catch (error) {
    // Only the error's class and a sanitized first line: connection strings never reach the client.
    const message =
      error instanceof Error
        ? error.message.split("\n")[0]!.replace(/\w+:\/\/\S+/g, "[url]")
        : "unavailable";
    return `unavailable: ${message.slice(0, 120)}`;
  } finally {
    clearTimeout(timer);
  }
}
