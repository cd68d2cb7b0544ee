import path from "node:path";
import { ensureDevAdminKey } from "../lib/auth/devKey.js";
import { getCache } from "../lib/cache/index.js";
import { ProductionConfigError } from "../lib/config/productionConfigError.js";
import { ConfigError, getConfig } from "../lib/config.js";
import { closeDb, databaseDriverFor, getDb } from "../lib/db/index.js";
import { log } from "../lib/log.js";
import { runBackgroundChecks } from "../lib/runs/wake/backgroundChecks.js";
import { isAbandonedAssetCheck } from "../lib/x402/getDevnetFacilitator.js";
import { buildWorkflows } from "./buildWorkflows.js";
import { startHost, urlHost } from "./host.js";

/**
 * `npm run dev`: the whole product on embedded defaults — PGlite, in-memory cache, the local
 * workflow world, a persisted anvil devnet with deployed contracts, and the demo paid services.
 */
async function main(): Promise<void> {
  const root = process.cwd();
  process.on("unhandledRejection", (reason) => {
    // The devnet facilitator's abandoned background check (see isAbandonedAssetCheck) is noise;
    // any other unhandled rejection is a bug and ends the host exactly as Node would.
    if (isAbandonedAssetCheck(reason)) {
      log.warn("devnet facilitator: an abandoned asset check failed", { error: reason });
      return;
    }
    throw reason;
  });
  let config: ReturnType<typeof getConfig>;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ProductionConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // hostile (issue 14): loopback unless HOST says otherwise.
  const baseUrl = `http://${urlHost(config.HOST)}:${config.PORT}`;
  // The local workflow world delivers queue messages over HTTP to this host.
  process.env.WORKFLOW_LOCAL_BASE_URL ??= baseUrl;
  process.env.PUBLIC_BASE_URL ??= baseUrl;

  if (!config.DEV_SKIP_WORKFLOW_BUILD) buildWorkflows(root);

  let chain = `${config.PAYGENT_NETWORK} via ${config.RPC_URL ? "RPC_URL" : "default RPC"}`;
  let stopDevnet: (() => Promise<void>) | undefined;
  let devnetUsdc: string | undefined;
  let chainId: number | undefined;
  if (config.PAYGENT_NETWORK === "devnet" && !config.RPC_URL) {
    const { ensureDevnet } = await import("../lib/chain/devnet/ensureDevnet.js");
    const devnet = await ensureDevnet({
      port: config.DEVNET_PORT,
      stateDir: path.resolve(config.DEVNET_STATE_DIR),
    });
    stopDevnet = devnet.stop;
    devnetUsdc = devnet.addresses.usdc;
    chainId = devnet.chainId;
    chain = `anvil devnet (chain ${devnet.chainId}) at ${devnet.rpcUrl}${devnet.reused ? ", reused" : ""}`;
  }

  const db = await getDb();
  const cache = await getCache();
  if (devnetUsdc && chainId) {
    const { seedDemoServices } = await import("../lib/registry/seed.js");
    await seedDemoServices(
      db,
      { baseUrl, network: `eip155:${chainId}`, usdcAddress: devnetUsdc },
      { cache },
    );
  }
  const devKey = config.AUTH_DISABLED
    ? undefined
    : await ensureDevAdminKey(db, config.DEV_API_KEY_FILE);

  const intervals: { name: string; everyMs: number; run: () => Promise<unknown> }[] = [
    {
      name: "background checks",
      everyMs: config.DEV_WATCH_INTERVAL_MS,
      run: () => runBackgroundChecks(db),
    },
  ];
  const localWorld = !config.WORKFLOW_TARGET_WORLD || config.WORKFLOW_TARGET_WORLD === "local";
  if (localWorld && config.WORKFLOW_LOCAL_EVENT_HISTORY_RUNS > 0) {
    // Every step lists the whole events/ folder: keep it bounded (see pruneLocalEvents).
    const { pruneLocalEvents } = await import("../lib/world/pruneLocalEvents.js");
    const known = new Map();
    const prune = () =>
      pruneLocalEvents(
        {
          dataDir: path.resolve(config.WORKFLOW_LOCAL_DATA_DIR),
          keepRuns: config.WORKFLOW_LOCAL_EVENT_HISTORY_RUNS,
        },
        known,
      );
    intervals.push({ name: "local world event pruning", everyMs: 2000, run: prune });
  }
  if (databaseDriverFor(config) === "pglite" && config.PGLITE_VACUUM_SECONDS > 0) {
    // PGlite has no autovacuum: without this, every update's dead row stays and nothing is analyzed.
    const { vacuumEmbedded } = await import("../lib/db/vacuumEmbedded.js");
    const vacuum = async () => {
      const done = await vacuumEmbedded(db);
      if (done.length > 0) log.debug("vacuumed the embedded database", { tables: done });
    };
    // Once now, for a database an earlier host left unvacuumed, without holding up the start.
    void vacuum().catch((error: unknown) => log.warn("embedded database vacuum failed", { error }));
    intervals.push({
      name: "embedded database vacuum",
      everyMs: config.PGLITE_VACUUM_SECONDS * 1000,
      run: vacuum,
    });
  }
  if (config.WORKFLOW_TARGET_WORLD === "@workflow/world-postgres" && config.WORKFLOW_POSTGRES_URL) {
    // Jobs a killed host had locked would otherwise wait graphile-worker's 4-hour stale-lock timeout.
    const { createWorldPool, reclaimStaleJobs } = await import("../lib/world/reclaimStaleJobs.js");
    const pool = createWorldPool(config.WORKFLOW_POSTGRES_URL);
    const reclaim = () => reclaimStaleJobs(pool, config.WORKFLOW_POSTGRES_RECLAIM_SECONDS);
    await reclaim();
    intervals.push({ name: "stale job reclaim", everyMs: 5000, run: reclaim });
    // Steps a killed host left finished in their row but not in the event log (see the file).
    const { repairHalfCompletedSteps } = await import("../lib/world/repairHalfCompletedSteps.js");
    const repair = () => repairHalfCompletedSteps(pool, 30);
    await repair();
    intervals.push({ name: "half-completed step repair", everyMs: 5000, run: repair });
  }
  if ((config.WORKFLOW_TARGET_WORLD ?? "local") === "local") {
    // Before the world resumes runs: an events folder that once held many more files than it does
    // now slows every step's listing of it (see compactLocalEvents).
    const { compactLocalEvents } = await import("../lib/world/compactLocalEvents.js");
    const compacted = await compactLocalEvents(config.WORKFLOW_LOCAL_DATA_DIR);
    if (compacted.compacted)
      log.info("compacted the local world's events folder", { ...compacted });
    // A host killed while ending a step leaves a lock that would refuse that step's outcome
    // forever (see repairLocalStepLocks).
    const { repairLocalStepLocks } = await import("../lib/world/repairLocalStepLocks.js");
    await repairLocalStepLocks(config.WORKFLOW_LOCAL_DATA_DIR);
  }
  const extraRoutes = config.DEV_BENCH_ROUTES
    ? (await import("./benchRoutes.js")).createBenchRoutes()
    : undefined;
  const host = await startHost({
    root,
    port: config.PORT,
    host: config.HOST,
    intervals,
    extraRoutes,
    directQueue: config.DEV_LOCAL_QUEUE_DIRECT,
  });

  const world = config.WORKFLOW_TARGET_WORLD ?? "local";
  process.stdout.write(
    [
      "",
      `Paygent is listening on ${host.url}`,
      `  database  ${databaseDriverFor(config)}${config.DATABASE_URL ? "" : ` (${config.PGLITE_DATA_DIR})`}`,
      `  cache     ${cache.kind}`,
      `  workflow  ${world} world${world === "local" ? ` (${config.WORKFLOW_LOCAL_DATA_DIR})` : ""}`,
      `  chain     ${chain}`,
      devKey
        ? `  api key   ${devKey.key}   (admin, stored in ${config.DEV_API_KEY_FILE})`
        : "  api key   authentication disabled",
      "",
      `Try: curl -s -X POST ${host.url}/api/agent/execute -H 'authorization: Bearer ${devKey?.key ?? "…"}' \\`,
      `       -H 'content-type: application/json' -d '{"command":"pay 0.10 USDC to the market data API"}'`,
      "",
    ].join("\n"),
  );

  const shutdown = async (signal: string) => {
    process.stdout.write(`\n${signal}: shutting down\n`);
    await host.close().catch(() => {});
    await closeDb().catch(() => {});
    // A graceful stop also stops the devnet (its state is dumped); after a crash it keeps running.
    await stopDevnet?.().catch(() => {});
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  process.stderr.write(
    `paygent failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
