import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { checkAnswer, type Observation, recordObservation } from "./apiContract.js";
import { createScratchDatabase, LOCAL_POSTGRES, migratedPgliteDataDir } from "./db.js";
import { freePort } from "./devnet.js";
import { ensureWorkflowBundles } from "./workflowBundles.js";

/** A local host (`dev/main.ts`) running as a child process, as `npm run dev` would run it. */
export interface HostProcess {
  url: string;
  port: number;
  /** The admin API key the host created for itself. */
  apiKey: string;
  dataDir: string;
  env: Record<string, string>;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no cleanup, exactly like a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /**
   * Every answer request() got, checked against the declared API (tests/helpers/apiContract.ts);
   * hosts of another checkout (options.root) are not checked.
   */
  observations(): Observation[];
  /** Authenticated JSON request. */
  request(
    method: string,
    pathname: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export interface StartHostOptions {
  /** "postgres": a scratch database on the local server (fast to create); default: embedded PGlite. */
  database?: "pglite" | "postgres";
  /** Reuse a data folder (PGlite, workflow data, devnet state) to restart "the same" host. */
  dataDir?: string;
  port?: number;
  devnetPort?: number;
  env?: Record<string, string>;
  /**
   * Run the host of another checkout (e.g. the previous release, see previousRelease.ts) instead of
   * this one; its workflow bundles must already be built.
   */
  root?: string;
  /** Extra node flags before the entry point (e.g. --cpu-prof for a profile of the host). */
  nodeArgs?: string[];
}

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Settings a whole suite can be run under, e.g. `PG_NAMED_STATEMENTS=false npm run test:long`:
 * hosts get an environment of their own and would not otherwise see the runner's. A test's own
 * `env` still wins.
 */
const runnerSwitches = [
  "PG_NAMED_STATEMENTS",
  "PGLITE_NAMED_STATEMENTS",
  "PGLITE_WORKER",
  "ACCEPT_OUTBOX",
] as const;

function switchesFromRunner(): Record<string, string> {
  return Object.fromEntries(
    runnerSwitches.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/**
 * Starts the host with its own data folder (embedded Postgres, local workflow world, persisted
 * anvil) and waits until /api/health answers 200. The workflow bundles are built (when stale)
 * before the first host starts, so hosts start with DEV_SKIP_WORKFLOW_BUILD.
 */
export async function startHostProcess(options: StartHostOptions = {}): Promise<HostProcess> {
  if (!options.root) await ensureWorkflowBundles();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "paygent-host-"));
  const port = options.port ?? (await freePort());
  const devnetPort = options.devnetPort ?? (await freePort());
  let databaseUrl: string | undefined;
  if (options.database === "postgres" && !options.env?.DATABASE_URL) {
    const scratch = await createScratchDatabase("paygent_host");
    databaseUrl = scratch.url;
    writeFileSync(path.join(dataDir, "scratch-database"), scratch.url);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    NODE_ENV: "development",
    PORT: String(port),
    PGLITE_DATA_DIR: path.join(dataDir, "pglite"),
    WORKFLOW_LOCAL_DATA_DIR: path.join(dataDir, "workflow"),
    DEVNET_STATE_DIR: path.join(dataDir, "devnet"),
    DEVNET_PORT: String(devnetPort),
    DEV_API_KEY_FILE: path.join(dataDir, "dev-api-key"),
    DEV_SKIP_WORKFLOW_BUILD: "true",
    DEV_WATCH_INTERVAL_MS: "250",
    LOG_LEVEL: "warn",
    // Every request of a test comes from 127.0.0.1: lift the public per-IP limit unless a test sets it.
    PUBLIC_RATE_LIMIT_PER_MINUTE: "1000000",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...switchesFromRunner(),
    ...options.env,
  };
  const pgliteDir = env.PGLITE_DATA_DIR!;
  if (!options.root && !env.DATABASE_URL && !existsSync(pgliteDir)) {
    // A new embedded database starts as a copy of the migrated one (initdb and the migrations
    // cost a host ~4 s).
    // Not for another checkout (an earlier release): its migrations are not these.
    cpSync(await migratedPgliteDataDir(), pgliteDir, { recursive: true });
  }
  let output = "";
  // tsx as a loader inside this one process: its CLI would fork a child that SIGKILL would orphan.
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", "tsx", "dev/main.ts"],
    {
      cwd: options.root ?? root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`host exited early:\n${output}`);
    const healthy = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`host did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const apiKey = (await readFile(env.DEV_API_KEY_FILE!, "utf8").catch(() => "")).trim();
  const observations: Observation[] = [];

  const host: HostProcess = {
    url,
    port,
    apiKey,
    dataDir,
    env,
    child,
    output: () => output,
    observations: () => [...observations],
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
    async request(method, pathname, body, headers = {}) {
      const response = await fetch(`${url}${pathname}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      if (!options.root) {
        const observation = checkAnswer({
          method: method.toUpperCase(),
          pathname: new URL(pathname, url).pathname,
          status: response.status,
          contentType: response.headers.get("content-type"),
          body: parsed,
        });
        observations.push(observation);
        recordObservation(observation);
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
  return host;
}

/**
 * Stops the host's devnet (anvil runs detached so it survives a host crash) and removes the
 * data folder.
 */
export async function disposeHostData(dataDir: string): Promise<void> {
  const recorded = await readFile(path.join(dataDir, "devnet/anvil.pid"), "utf8").catch(() => "{}");
  const pid = Number((JSON.parse(recorded) as { pid?: number }).pid);
  if (pid > 0) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  const scratch = await readFile(path.join(dataDir, "scratch-database"), "utf8").catch(
    () => undefined,
  );
  if (scratch) await dropScratchDatabase(scratch).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}

async function dropScratchDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^paygent_\w+$/.test(name)) return;
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Where a host keeps its state, fixed so a killed host can be started again on the same data. */
export interface RestartableHostData {
  dataDir: string;
  port: number;
  devnetPort: number;
}

/**
 * A data folder and ports for hosts that are killed and started again on the same state
 * (durability tests): pass it to startHostProcess each time; `dispose` removes it (disposeHostData).
 */
export async function restartableHostData(
  prefix: string,
): Promise<{ base: RestartableHostData; dispose(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `paygent-${prefix}-`));
  return {
    base: { dataDir, port: await freePort(), devnetPort: await freePort() },
    dispose: () => disposeHostData(dataDir),
  };
}
