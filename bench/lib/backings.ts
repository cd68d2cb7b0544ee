import { disposeHostData, type HostProcess, startHostProcess } from "../../tests/helpers/host.js";
import { createHostDatabase } from "../../tests/helpers/postgresWorld.js";
import { LOCAL_REDIS_URL } from "../../tests/helpers/services.js";

/** What backs a host: the database, cache and workflow world. */
export type BaseBacking = "embedded" | "postgres" | "postgres-world";
/** A setting switched away from its default, to measure before against after in one run. */
export type BackingModifier =
  | "inline"
  | "http"
  | "direct"
  | "fifo"
  | "unnamed"
  | "keyread"
  | "memcache"
  | "pgunnamed";
/** A backing and its modifiers, written `base[+modifier…]`, e.g. `embedded+inline`. */
export type BackingName = string;

const baseLabels: Record<BaseBacking, string> = {
  embedded: "embedded: PGlite (worker thread), memory cache, local world",
  postgres: "Postgres + Redis, local world",
  "postgres-world": "Postgres + Redis, Postgres world",
};

const modifiers: Record<BackingModifier, { label: string; env: Record<string, string> }> = {
  inline: { label: "PGlite on the main thread", env: { PGLITE_WORKER: "false" } },
  http: { label: "local queue over loopback HTTP", env: { DEV_LOCAL_QUEUE_DIRECT: "false" } },
  direct: { label: "accept answers after start() (no outbox)", env: { ACCEPT_OUTBOX: "false" } },
  fifo: { label: "deliveries do not wait for API writes", env: { DEV_REQUESTS_FIRST: "false" } },
  unnamed: {
    label: "PGlite parses every statement anew (no named statements)",
    env: { PGLITE_NAMED_STATEMENTS: "false" },
  },
  pgunnamed: {
    label: "node-postgres parses every statement anew (no named statements)",
    env: { PG_NAMED_STATEMENTS: "false" },
  },
  keyread: {
    label: "every accept reads its key (no key controls cache)",
    env: { KEY_CONTROLS_CACHE_SECONDS: "0" },
  },
  memcache: { label: "the cache in memory instead of Redis", env: { REDIS_URL: "" } },
};

function parseBacking(name: BackingName): { base: BaseBacking; mods: BackingModifier[] } {
  const [base, ...mods] = name.split("+");
  if (!base || !(base in baseLabels)) throw new Error(`unknown backing ${name}`);
  for (const mod of mods) if (!(mod in modifiers)) throw new Error(`unknown modifier ${mod}`);
  return { base: base as BaseBacking, mods: mods as BackingModifier[] };
}

/** How a backing is printed. */
export function backingLabel(name: BackingName): string {
  const { base, mods } = parseBacking(name);
  return [baseLabels[base], ...mods.map((mod) => `${modifiers[mod].label} (${name})`)].join("; ");
}

/**
 * The backings to measure: `--backings=a,b` on the command line or BENCH_BACKINGS, else `fallback`
 * (by default the embedded backing alone: the others need the machine's PostgreSQL and Redis).
 * `all` = the three bases.
 */
export function selectedBackings(fallback = "embedded"): BackingName[] {
  const flag = process.argv
    .find((arg) => arg.startsWith("--backings="))
    ?.slice("--backings=".length);
  const list = (flag ?? process.env.BENCH_BACKINGS ?? fallback)
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (list.includes("all")) return ["embedded", "postgres", "postgres-world"];
  for (const name of list) parseBacking(name);
  return list;
}

/** A numeric command-line option `--name=value` (or the fallback). */
export function numberOption(name: string, fallback: number): number {
  const raw = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

/** Everything needed to start a host again on the same data (history benchmarks restart it). */
export interface BenchData {
  backing: BackingName;
  dataDir?: string;
  env: Record<string, string>;
  dropDatabase?: () => Promise<void>;
}

/** Creates the databases a backing needs (a scratch Postgres database, the world's schema). */
export async function prepareBacking(backing: BackingName): Promise<BenchData> {
  const { base, mods } = parseBacking(backing);
  const env: Record<string, string> = {
    RATE_LIMIT_PER_MINUTE: "10000000",
    LOG_LEVEL: "error",
    DEV_BENCH_ROUTES: "true",
    // The product's default (the test helper polls every 250 ms to keep tests short).
    DEV_WATCH_INTERVAL_MS: "1000",
  };
  let dropDatabase: (() => Promise<void>) | undefined;
  if (base !== "embedded") {
    const database = await createHostDatabase(
      "paygent_bench",
      base === "postgres-world" ? "postgres" : "local",
    );
    Object.assign(env, database.env, { REDIS_URL: LOCAL_REDIS_URL });
    dropDatabase = database.drop;
  }
  // Last, so a modifier can override the backing's own settings (its Redis, say).
  for (const mod of mods) Object.assign(env, modifiers[mod].env);
  return { backing, env, ...(dropDatabase ? { dropDatabase } : {}) };
}

/** Starts a host on prepared data (the same data folder on every start after the first). */
export async function startOnData(
  data: BenchData,
  extraEnv: Record<string, string> = {},
  nodeArgs?: string[],
): Promise<HostProcess> {
  const host = await startHostProcess({
    env: { ...data.env, ...extraEnv },
    ...(data.dataDir ? { dataDir: data.dataDir } : {}),
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  data.dataDir = host.dataDir;
  return host;
}

/** Removes a backing's data: the host's folder (and its anvil), the scratch database. */
export async function disposeData(data: BenchData): Promise<void> {
  if (data.dataDir) await disposeHostData(data.dataDir);
  await data.dropDatabase?.().catch(() => {});
}

/** Starts a host process on a backing with the bench routes on; dispose() stops it and its data. */
export async function startBenchHost(
  backing: BackingName,
  extraEnv: Record<string, string> = {},
  options: { nodeArgs?: string[] } = {},
): Promise<{ host: HostProcess; dispose(): Promise<void> }> {
  const data = await prepareBacking(backing);
  let host: HostProcess;
  try {
    host = await startOnData(data, extraEnv, options.nodeArgs);
  } catch (error) {
    await disposeData(data);
    throw error;
  }
  return {
    host,
    async dispose() {
      await host.stop().catch(() => {});
      await disposeData(data);
    },
  };
}
