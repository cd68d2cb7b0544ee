import { z } from "zod";
import { type ActionType, actionTypes } from "./actions/schemas.js";
import { checkProductionEnv, isProductionRuntime } from "./config/checkProductionEnv.js";
import { ConfigError } from "./config/configError.js";

export { ConfigError, type ConfigIssue } from "./config/configError.js";

/**
 * The one place that reads process.env. Every variable is validated once; a malformed value
 * stops start-up with a message naming the variable. The README's configuration table mirrors
 * this schema: keep them in step.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const url = (name: string) =>
  z
    .string()
    .trim()
    .transform((value) => (value === "" ? undefined : value))
    .optional()
    .refine((value) => value === undefined || URL.canParse(value), `${name} must be a URL`);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const privateKey = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key")
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");
/** A switch that is on unless set to "false" or "0". */
const defaultOnFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value !== "false" && value !== "0");

export const networkNames = ["devnet", "cronos-testnet", "cronos"] as const;
export type NetworkName = (typeof networkNames)[number];

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: positiveInt(3000),
  /** Public base URL of this deployment, used in links and for the demo service endpoints. */
  PUBLIC_BASE_URL: url("PUBLIC_BASE_URL"),

  // Database: Neon host → Neon Pool; other URL → node-postgres; unset → embedded PGlite.
  DATABASE_URL: url("DATABASE_URL"),
  /** Forces a driver for DATABASE_URL (e.g. "neon" for a Neon-compatible proxy on another host). */
  DATABASE_DRIVER: z.enum(["neon", "pg"]).optional(),
  PGLITE_DATA_DIR: z.string().default(".data/pglite"),
  /**
   * How often the local host vacuums and analyzes the embedded database's tables that need it
   * (PGlite runs no autovacuum; see lib/db/vacuumEmbedded.ts); 0 turns it off.
   */
  PGLITE_VACUUM_SECONDS: z.coerce.number().int().min(0).default(60),

  // Cache: Upstash REST (either naming), then REDIS_URL, else in memory.
  UPSTASH_REDIS_REST_URL: url("UPSTASH_REDIS_REST_URL"),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  KV_REST_API_URL: url("KV_REST_API_URL"),
  KV_REST_API_TOKEN: optionalString,
  REDIS_URL: url("REDIS_URL"),

  // Workflow world (read by the Workflow DevKit runtime itself; validated here so typos stop start-up).
  WORKFLOW_TARGET_WORLD: z.enum(["local", "vercel", "@workflow/world-postgres"]).optional(),
  WORKFLOW_POSTGRES_URL: url("WORKFLOW_POSTGRES_URL"),
  WORKFLOW_LOCAL_DATA_DIR: z.string().default(".workflow-data"),
  /** Postgres world: release queue jobs locked longer than this by a worker that died (graphile waits 4 h). */
  WORKFLOW_POSTGRES_RECLAIM_SECONDS: positiveInt(300),
  /**
   * A running run whose workflow has been owed its next turn this long (a continuation or a step
   * job was lost) is queued again by the background checks (lib/runs/wake/resumeStalledRuns.ts);
   * 0 turns it off.
   */
  STALLED_RUN_SECONDS: z.coerce.number().int().min(0).default(30),
  /**
   * Longer than any step runs. A flow or step delivery the host has not answered this long is
   * answered 504 and delivered again (lib/world/answerWithinDeadline.ts), and a step started this
   * long ago that has not ended counts as lost for the stalled-run guard. 0: never. (On Vercel a
   * function's maxDuration bounds a delivery instead.)
   */
  STEP_DEADLINE_SECONDS: z.coerce.number().int().min(0).default(300),

  // Chain.
  PAYGENT_NETWORK: z.enum(networkNames).default("devnet"),
  RPC_URL: url("RPC_URL"),
  DEVNET_PORT: positiveInt(8545),
  DEVNET_STATE_DIR: z.string().default(".data/devnet"),
  AGENT_PRIVATE_KEY: privateKey,
  /** How long an action waits inline for its receipt before the run sleeps on a chain-event hook. */
  CHAIN_INLINE_WAIT_MS: z.coerce.number().int().min(0).default(15_000),

  // x402.
  X402_FACILITATOR_URL: url("X402_FACILITATOR_URL"),
  FACILITATOR_PRIVATE_KEY: privateKey,
  /** Receives the demo paid resources' payments (default on the devnet: the anvil merchant account). */
  X402_MERCHANT_ADDRESS: z
    .string()
    .trim()
    .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
    .optional(),
  /**
   * Fault injection for the durability tests only: "after-settle" SIGKILLs the process mid-payment
   * (settled on chain, not yet recorded); "after-action" right after an action is recorded, before
   * its step returns to the workflow (between two steps); "after-accept" once a command's 202 is
   * answered, before its workflow is started (the outbox accept's crash window); "after-decision"
   * once an approval's decision is stored and answered, before its run is woken. Not kills:
   * "lose-continuation" and "lose-step-job" make the world drop the first workflow continuation,
   * or the first step job, it is asked to queue (lib/faults/loseQueueMessage.ts); "hang-step" makes
   * the first action step hang after it started (lib/faults/hangStepOnce.ts).
   */
  PAYGENT_FAULT: z
    .enum([
      "after-settle",
      "after-action",
      "after-accept",
      "after-decision",
      "lose-continuation",
      "lose-step-job",
      "hang-step",
      "",
    ])
    .optional(),

  // Language model (optional; the grammar works without one).
  AI_GATEWAY_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  AI_MODEL: z.string().default("openai/gpt-4o-mini"),

  // Policy.
  APPROVAL_TIMEOUT_SECONDS: positiveInt(24 * 60 * 60),
  /**
   * Comma-separated action types the agent may run; every type in lib/actions/schemas.ts by default.
   * The list is read when the config is parsed, not when this module loads: the action modules
   * import the config, so a module that loads lib/actions/schemas.ts first finds it still empty.
   */
  AGENT_ALLOWED_ACTIONS: z
    .string()
    .default(() => actionTypes.join(","))
    .transform((value) =>
      value
        .split(",")
        .map((action) => action.trim())
        .filter(Boolean),
    )
    .pipe(z.lazy(() => z.array(z.enum(actionTypes as [ActionType, ...ActionType[]])))),
  DEFAULT_APPROVAL_THRESHOLD_USD: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "must be a decimal number of US dollars")
    .default("10"),
  // grammar (issue 19): "send all my CRO" keeps this much of the gas token back (decimal, in CRO),
  // or 500k gas at the current fee when that is more.
  GAS_RESERVE_NATIVE: z
    .string()
    .regex(/^\d+(\.\d{1,18})?$/, "must be a decimal amount of the gas token")
    .default("0.5"),

  // Policy engine and roles (issue 13).
  /**
   * The policy of keys that have none, as a JSON PolicyDocument (fully validated by
   * lib/policy/defaultPolicy.ts). Unset → a built-in policy with limits: never unlimited unless
   * the operator writes a document without them here.
   */
  PAYGENT_DEFAULT_POLICY: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value))
    .refine(
      (value) => value === undefined || isJsonObject(value),
      "must be a JSON object (a policy document)",
    ),

  // Security.
  WEBHOOK_SECRET: optionalString,
  CRON_SECRET: optionalString,
  PAYGENT_ADMIN_KEY: optionalString,
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  MAX_BODY_BYTES: positiveInt(64 * 1024),
  RATE_LIMIT_PER_MINUTE: positiveInt(120),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Vercel sets this; it selects the Vercel workflow world when no world is named. */
  VERCEL_DEPLOYMENT_ID: optionalString,
  AUTH_DISABLED: booleanFlag,
  /** Local host only: reuse the existing .well-known workflow bundles instead of rebuilding. */
  DEV_SKIP_WORKFLOW_BUILD: booleanFlag,
  /** Local host only: where the generated admin key is kept (git-ignored). */
  DEV_API_KEY_FILE: z.string().default(".data/dev-api-key"),
  /** Local host only: how often the chain watcher and reconcilers run. */
  DEV_WATCH_INTERVAL_MS: positiveInt(1000),

  // Vercel fit (issue 18).
  /**
   * Server-Sent Event streams end after this many seconds, with a `retry:` hint, so they close
   * before the function's maxDuration (vercel.json: 60 s); clients resume with Last-Event-ID.
   */
  SSE_MAX_DURATION_SECONDS: positiveInt(50),
  // Hostile payees, flaky networks and self-hosting (issue 14).
  /**
   * Longest validity of any EIP-3009 authorization Paygent signs, whatever the server's
   * maxTimeoutSeconds: a signed authorization is exposure until it is used, cancelled or expired.
   */
  X402_AUTHORIZATION_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
  /** Devnet facilitator: "sync" settles before answering; "async" answers pending and settles later. */
  DEVNET_FACILITATOR_MODE: z.enum(["sync", "async"]).default("sync"),
  /** Devnet facilitator in "async" mode: how long after answering it settles. */
  DEVNET_FACILITATOR_SETTLE_DELAY_MS: z.coerce.number().int().min(0).default(2_000),
  /**
   * Devnet only (ignored on Cronos): every subscription period lasts this many seconds instead of
   * a day, a week or a month, so renewals can be watched and tested end to end. Unset: real periods.
   */
  DEVNET_SUBSCRIPTION_PERIOD_SECONDS: z.coerce.number().int().min(5).optional(),
  /** Interface the local host binds (npm run dev); anything but loopback exposes it. */
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  /** Per IP, before authentication, on public routes (facilitator, webhooks, demo resources). */
  PUBLIC_RATE_LIMIT_PER_MINUTE: positiveInt(120),
  /**
   * GET /api/health is public and probes the database, the cache, the world and the RPC. Calls
   * within this many milliseconds of a finished probe get its report, and calls during a probe
   * wait for it (api/health.ts), so polling it cannot make the host flood its RPC provider; not a
   * 429, which load balancers polling it would read as down. 0: a call that finds no probe under
   * way probes.
   */
  HEALTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  // Throughput (issue 17): the embedded database's thread, the local world's history, bench routes.
  /** Embedded PGlite runs in a worker thread so queries leave the event loop; "false" keeps it inline. */
  PGLITE_WORKER: defaultOnFlag,
  /**
   * The PGlite worker keeps prepared queries (lib/db/prepareQuery) as named statements, parsed and
   * planned once; "false" parses every statement anew (measured against in `bench runs`).
   */
  PGLITE_NAMED_STATEMENTS: defaultOnFlag,
  /**
   * The same on node-postgres (DATABASE_URL, not Neon): prepared queries run as named statements.
   * Behind a pooler in transaction mode that does not keep them, the pool notices the first lost
   * name and sends statements unnamed from then on (lib/db/namedStatementsPool); "false" never names.
   */
  PG_NAMED_STATEMENTS: defaultOnFlag,
  /**
   * How long the accept routes reuse a read of an API key with its policy and freezes
   * (lib/auth/keyControlsCache); the run's insert checks it is still current. 0 reads every time.
   */
  KEY_CONTROLS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Local world: keep the event files of this many most recently finished runs (0 keeps all). */
  WORKFLOW_LOCAL_EVENT_HISTORY_RUNS: z.coerce.number().int().min(0).default(100),
  /**
   * Appends every SQL statement (time, duration, text; never the parameters) to this file: how the
   * round trips of a run are counted (issue 17). Development only; unset in production.
   */
  DB_QUERY_LOG: z.string().trim().min(1).optional(),
  /** Local host only: serve the /__bench routes `npm run bench runs` measures the floor with. */
  DEV_BENCH_ROUTES: booleanFlag,
  /**
   * Hours of pool prices a policy check holds a token's price to (lib/policy/chainPricer), besides
   * the current hour: a spend is valued at the highest price of the window, a limit's token at the
   * lowest, so a pool pushed for a moment cannot shrink a spend. 0: the pool's price at the moment.
   */
  POLICY_PRICE_WINDOW_HOURS: z.coerce.number().int().min(0).max(168).default(24),
  /**
   * A swap compares the pool's price with its average since a point at least this many minutes
   * (and at most three times as many, an hour at least) back, from the pair's own oracle
   * (lib/chain/averages), and is refused when the pool pays more than SWAP_MAX_PRICE_GAP_BPS below
   * it. 0: no average, the quote's slippage floor only.
   */
  SWAP_AVERAGE_MINUTES: z.coerce.number().int().min(0).max(240).default(10),
  /** How far below its average (basis points) a pool may pay before a swap into it is refused. */
  SWAP_MAX_PRICE_GAP_BPS: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * Accept = commit the run and answer 202; start() follows right after (an outbox). On by default;
   * "false" answers only after start(). Ignored on Vercel, where a function may freeze once it has
   * answered.
   */
  ACCEPT_OUTBOX: defaultOnFlag,
  /** Local host, local world: hand queue messages to the flow/step handlers in-process, not over HTTP. */
  DEV_LOCAL_QUEUE_DIRECT: defaultOnFlag,
  /** Local host: queue deliveries wait (≤ 100 ms) while API writes are handled (requestsFirst). */
  DEV_REQUESTS_FIRST: defaultOnFlag,
});

export type Config = z.infer<typeof envSchema>;

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Validates an environment object (process.env by default) into a typed Config. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      variable: issue.path.join(".") || "(env)",
      message: issue.message,
    }));
    throw new ConfigError("Invalid configuration", {
      metaMessages: issues.map((issue) => `${issue.variable}: ${issue.message}`),
      issues,
    });
  }
  return result.data;
}

let cached: Config | undefined;

/**
 * The process-wide configuration, read from process.env on first use. In production (VERCEL=1 or
 * NODE_ENV=production) it must also pass the production check (`npm run check:env`); otherwise
 * the embedded defaults apply, as `npm run dev` wants.
 */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}

// Production check at cold start (issue 18): refuse the devnet, embedded state and missing secrets
// with one error naming every variable to set (lib/config/checkProductionEnv.ts).
function loadConfig(env: Record<string, string | undefined>): Config {
  if (!isProductionRuntime(env)) return parseConfig(env);
  const checked = checkProductionEnv({ env, parseConfig });
  if (!checked.ok) throw checked.error;
  return checked.config;
}

/** Forgets the cached configuration so the next getConfig() re-reads process.env (tests, dev host). */
export function resetConfig(): void {
  cached = undefined;
}

/** The Upstash REST credentials, under either name Vercel may give them. */
export function upstashCredentials(config: Config): { url: string; token: string } | undefined {
  const url = config.UPSTASH_REDIS_REST_URL ?? config.KV_REST_API_URL;
  const token = config.UPSTASH_REDIS_REST_TOKEN ?? config.KV_REST_API_TOKEN;
  return url && token ? { url, token } : undefined;
}

/** True when the DATABASE_URL points at Neon (served through the Neon serverless driver). */
export function isNeonUrl(databaseUrl: string): boolean {
  const host = new URL(databaseUrl).hostname;
  return host.endsWith(".neon.tech") || host.endsWith(".neon.build");
}
