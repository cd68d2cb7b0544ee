import type { Config } from "../config.js";
import { isDevnetAddress, isDevnetPrivateKey } from "./devnetKeys.js";
import type { ProductionProblem } from "./productionConfigError.js";

/** Shared secrets shorter than this are guessable; Vercel asks at least 16 characters of CRON_SECRET. */
export const MIN_SECRET_LENGTH = 16;

export interface FindProductionProblemsParameters {
  /** The parsed configuration (lib/config.ts). */
  config: Config;
  /** True on Vercel (VERCEL=1): the platform picks the workflow world and the filesystem is read-only. */
  onVercel: boolean;
}

/**
 * What keeps a configuration from being safe in production, variable by variable. Configuration
 * only: opens no connection, reads no file, so it runs in CI, at build time and at every cold start.
 * The embedded defaults (devnet, PGlite, in-memory cache) are right for `npm run dev` and wrong
 * for a deployment: each is refused here with the variable that replaces it.
 */
export function findProductionProblems(
  parameters: FindProductionProblemsParameters,
): ProductionProblem[] {
  const { config, onVercel } = parameters;
  const problems: ProductionProblem[] = [];
  const problem = (variables: string[], reason: string, set?: string) =>
    problems.push({ variables, reason, ...(set ? { set } : {}) });

  // The chain: the devnet runs anvil with public keys, turns the SSRF guard off and serves a
  // facilitator that settles anything.
  if (config.PAYGENT_NETWORK === "devnet") {
    problem(
      ["PAYGENT_NETWORK"],
      "is the devnet (the default): local anvil, public keys, SSRF guard off; set cronos-testnet or cronos",
    );
  }
  if (!config.AGENT_PRIVATE_KEY) {
    problem(["AGENT_PRIVATE_KEY"], "the agent wallet's key is required (0x + 64 hex digits)");
  } else if (isDevnetPrivateKey(config.AGENT_PRIVATE_KEY)) {
    problem(
      ["AGENT_PRIVATE_KEY"],
      "is a well-known anvil/Hardhat test key: anyone can spend from that wallet",
    );
  }
  if (config.FACILITATOR_PRIVATE_KEY && isDevnetPrivateKey(config.FACILITATOR_PRIVATE_KEY)) {
    problem(
      ["FACILITATOR_PRIVATE_KEY"],
      "is a well-known anvil/Hardhat test key: use your own or unset it",
    );
  }
  if (config.X402_MERCHANT_ADDRESS && isDevnetAddress(config.X402_MERCHANT_ADDRESS)) {
    problem(
      ["X402_MERCHANT_ADDRESS"],
      "belongs to a well-known anvil/Hardhat test key: anyone could take what it receives",
    );
  }

  // State shared by every instance: a serverless filesystem is read-only and per instance.
  if (!config.DATABASE_URL) {
    problem(
      ["DATABASE_URL"],
      "unset means the embedded PGlite database, one per instance on a filesystem that does not last; set a Postgres (Neon) URL",
    );
  }
  const upstash = pair(config.UPSTASH_REDIS_REST_URL, config.UPSTASH_REDIS_REST_TOKEN);
  const kv = pair(config.KV_REST_API_URL, config.KV_REST_API_TOKEN);
  if (upstash === "url")
    problem(["UPSTASH_REDIS_REST_TOKEN"], "UPSTASH_REDIS_REST_URL is set without its token");
  if (upstash === "token")
    problem(["UPSTASH_REDIS_REST_URL"], "UPSTASH_REDIS_REST_TOKEN is set without its URL");
  if (kv === "url") problem(["KV_REST_API_TOKEN"], "KV_REST_API_URL is set without its token");
  if (kv === "token") problem(["KV_REST_API_URL"], "KV_REST_API_TOKEN is set without its URL");
  if (upstash === "none" && kv === "none" && !config.REDIS_URL) {
    problem(
      [
        "UPSTASH_REDIS_REST_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "KV_REST_API_URL",
        "KV_REST_API_TOKEN",
        "REDIS_URL",
      ],
      "without a shared cache, rate limits, webhook replay memory and budget counters live in each instance's memory",
      "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL and KV_REST_API_TOKEN, or REDIS_URL)",
    );
  }

  // Secrets that close the machine endpoints and give the operator a way in.
  const secrets = {
    WEBHOOK_SECRET: "signs /api/webhooks/* (unset: those endpoints answer 503)",
    CRON_SECRET:
      "authenticates Vercel Cron on /api/cron/chain (unset: the cron endpoint is closed)",
    PAYGENT_ADMIN_KEY: "the operator's admin API key (Authorization: Bearer)",
  } as const;
  for (const [name, role] of Object.entries(secrets)) {
    const value = config[name as keyof typeof secrets];
    if (!value) problem([name], `is required: ${role}`);
    else if (value.length < MIN_SECRET_LENGTH)
      problem([name], `is shorter than ${MIN_SECRET_LENGTH} characters: use a random value`);
  }

  // Switches that exist for local experiments and tests only.
  if (config.AUTH_DISABLED) {
    problem(["AUTH_DISABLED"], "treats every caller as admin: unset it");
  }
  if (config.PAYGENT_FAULT) {
    problem(["PAYGENT_FAULT"], "kills the process mid-payment (durability tests only): unset it");
  }

  // The workflow world.
  if (onVercel && config.WORKFLOW_TARGET_WORLD === "local") {
    problem(
      ["WORKFLOW_TARGET_WORLD"],
      "the local world keeps runs in one instance's files: unset it and Vercel's world is used",
    );
  }
  if (
    config.WORKFLOW_TARGET_WORLD === "@workflow/world-postgres" &&
    !config.WORKFLOW_POSTGRES_URL
  ) {
    problem(
      ["WORKFLOW_POSTGRES_URL"],
      "the Postgres world needs its database (the runtime does not fall back to DATABASE_URL)",
    );
  }
  return problems;
}

/** Which half of a URL + token pair is present. */
function pair(
  url: string | undefined,
  token: string | undefined,
): "none" | "url" | "token" | "both" {
  if (url && token) return "both";
  if (url) return "url";
  if (token) return "token";
  return "none";
}
