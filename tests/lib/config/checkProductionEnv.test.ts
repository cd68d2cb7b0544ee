import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { main as checkEnvCli } from "../../../dev/checkEnv.js";
import {
  checkProductionEnv,
  type Env,
  isProductionRuntime,
} from "../../../lib/config/checkProductionEnv.js";
import { wellKnownDevnetAccounts } from "../../../lib/config/devnetKeys.js";
import { ProductionConfigError } from "../../../lib/config/productionConfigError.js";
import { getConfig, parseConfig, resetConfig } from "../../../lib/config.js";

const root = path.resolve(import.meta.dirname, "../../..");

/** A complete production environment: every value is well-formed and none is a default. */
const complete: Env = {
  PAYGENT_NETWORK: "cronos-testnet",
  AGENT_PRIVATE_KEY: `0x${"5a".repeat(32)}`,
  DATABASE_URL: "postgres://app:pw@ep-quiet-1234.eu-central-1.aws.neon.tech/neondb",
  KV_REST_API_URL: "https://eu1-example.upstash.io",
  KV_REST_API_TOKEN: "kv-token-value",
  WEBHOOK_SECRET: "whsec-0123456789abcdef",
  CRON_SECRET: "cron-0123456789abcdef",
  PAYGENT_ADMIN_KEY: "pgk_admin_0123456789abcdef",
};

/** Runs the check expecting a refusal and returns the error. */
function refused(env: Env): ProductionConfigError {
  const result = checkProductionEnv({ env, parseConfig });
  if (result.ok) throw new Error("the production check accepted the environment");
  expect(result.error).toBeInstanceOf(ProductionConfigError);
  return result.error;
}

function without(env: Env, ...names: string[]): Env {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

describe("checkProductionEnv", () => {
  test("error: an empty environment names every variable to set, in one message", () => {
    const error = refused({});
    expect(error.shortMessage).toMatchInlineSnapshot(
      `"Refusing a production configuration that is unsafe or incomplete. Set: PAYGENT_NETWORK, AGENT_PRIVATE_KEY, DATABASE_URL, UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL and KV_REST_API_TOKEN, or REDIS_URL), WEBHOOK_SECRET, CRON_SECRET, PAYGENT_ADMIN_KEY"`,
    );
    expect(error.metaMessages).toHaveLength(7);
    expect(error.metaMessages?.[0]).toMatch(/^- PAYGENT_NETWORK: is the devnet \(the default\)/);
    expect(error.kind).toBe("fatal");
  });

  test("error: a partial environment names only what is still missing", () => {
    const partial = without(complete, "KV_REST_API_URL", "KV_REST_API_TOKEN", "CRON_SECRET");
    const error = refused(partial);
    expect(error.variables).toEqual([
      "UPSTASH_REDIS_REST_URL",
      "UPSTASH_REDIS_REST_TOKEN",
      "KV_REST_API_URL",
      "KV_REST_API_TOKEN",
      "REDIS_URL",
      "CRON_SECRET",
    ]);
    expect(refused(without(complete, "DATABASE_URL")).variables).toEqual(["DATABASE_URL"]);
    expect(refused({ ...complete, PAYGENT_NETWORK: "devnet" }).variables).toEqual([
      "PAYGENT_NETWORK",
    ]);
  });

  test("behavior: a complete environment passes, under each cache naming and on Vercel", () => {
    const result = checkProductionEnv({ env: complete, parseConfig });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.PAYGENT_NETWORK).toBe("cronos-testnet");
    const upstash = {
      ...without(complete, "KV_REST_API_URL", "KV_REST_API_TOKEN"),
      UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io",
      UPSTASH_REDIS_REST_TOKEN: "t",
    };
    const redis = {
      ...without(complete, "KV_REST_API_URL", "KV_REST_API_TOKEN"),
      REDIS_URL: "redis://cache:6379",
    };
    for (const env of [
      upstash,
      redis,
      { ...complete, VERCEL: "1" },
      { ...complete, PAYGENT_NETWORK: "cronos" },
    ]) {
      expect(checkProductionEnv({ env, parseConfig }).ok).toBe(true);
    }
  });

  test("error: every well-known devnet key or address is refused, and never echoed", () => {
    const [merchant] = wellKnownDevnetAccounts[3]!;
    for (const [, key] of wellKnownDevnetAccounts) {
      const error = refused({
        ...complete,
        AGENT_PRIVATE_KEY: key.toUpperCase().replace("0X", "0x"),
      });
      expect(error.variables).toEqual(["AGENT_PRIVATE_KEY"]);
      expect(error.message.toLowerCase()).not.toContain(key.slice(2).toLowerCase());
    }
    const error = refused({
      ...complete,
      FACILITATOR_PRIVATE_KEY: wellKnownDevnetAccounts[2]![1],
      X402_MERCHANT_ADDRESS: merchant,
    });
    expect(error.variables).toEqual(["FACILITATOR_PRIVATE_KEY", "X402_MERCHANT_ADDRESS"]);
    expect(error.message).toMatch(/well-known anvil\/Hardhat test key/);
  });

  test("error: malformed and missing variables are named in the same message", () => {
    const error = refused({
      ...without(complete, "WEBHOOK_SECRET"),
      DATABASE_URL: "not a url",
      AGENT_PRIVATE_KEY: "0x1234",
    });
    expect(error.variables).toEqual(["DATABASE_URL", "AGENT_PRIVATE_KEY", "WEBHOOK_SECRET"]);
    expect(error.metaMessages).toEqual([
      "- DATABASE_URL: is malformed: DATABASE_URL must be a URL",
      "- AGENT_PRIVATE_KEY: is malformed: must be a 0x-prefixed 32-byte hex private key",
      expect.stringMatching(/^- WEBHOOK_SECRET: is required/),
    ]);
    expect(error.message).not.toContain("0x1234");
  });

  test("error: short secrets, a half Upstash pair and test-only switches are refused", () => {
    const error = refused({
      ...without(complete, "KV_REST_API_URL", "KV_REST_API_TOKEN"),
      UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io",
      CRON_SECRET: "short",
      AUTH_DISABLED: "true",
      PAYGENT_FAULT: "after-settle",
    });
    expect(error.variables).toEqual([
      "UPSTASH_REDIS_REST_TOKEN",
      "CRON_SECRET",
      "AUTH_DISABLED",
      "PAYGENT_FAULT",
    ]);
    expect(error.message).not.toContain("short\n");
  });

  test("error: the local workflow world on Vercel, and the Postgres world without its URL", () => {
    expect(refused({ ...complete, VERCEL: "1", WORKFLOW_TARGET_WORLD: "local" }).variables).toEqual(
      ["WORKFLOW_TARGET_WORLD"],
    );
    expect(
      refused({ ...complete, WORKFLOW_TARGET_WORLD: "@workflow/world-postgres" }).variables,
    ).toEqual(["WORKFLOW_POSTGRES_URL"]);
    expect(
      checkProductionEnv({
        env: {
          ...complete,
          WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
          WORKFLOW_POSTGRES_URL: "postgres://db:5432/paygent",
        },
        parseConfig,
      }).ok,
    ).toBe(true);
  });

  test("args: production means VERCEL=1 or NODE_ENV=production, nothing else", () => {
    expect(isProductionRuntime({ VERCEL: "1" })).toBe(true);
    expect(isProductionRuntime({ NODE_ENV: "production" })).toBe(true);
    expect(isProductionRuntime({})).toBe(false);
    expect(isProductionRuntime({ NODE_ENV: "development", VERCEL: "0" })).toBe(false);
    expect(isProductionRuntime({ NODE_ENV: "test" })).toBe(false);
  });
});

describe("getConfig at cold start", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  /** Replaces process.env's Paygent variables with `env` for one test. */
  function stubEnv(env: Env): void {
    for (const name of [...Object.keys(complete), "VERCEL", "NODE_ENV"])
      vi.stubEnv(name, undefined);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    resetConfig();
  }

  test("error: on Vercel an incomplete environment stops the first getConfig()", () => {
    stubEnv({ VERCEL: "1", NODE_ENV: "production" });
    expect(() => getConfig()).toThrow(ProductionConfigError);
    expect(() => getConfig()).toThrow(/Set: PAYGENT_NETWORK, AGENT_PRIVATE_KEY, DATABASE_URL/);
  });

  test("error: NODE_ENV=production alone applies the same check", () => {
    stubEnv({ ...without(complete, "PAYGENT_ADMIN_KEY"), NODE_ENV: "production" });
    expect(() => getConfig()).toThrow(/Set: PAYGENT_ADMIN_KEY$/m);
  });

  test("behavior: a complete production environment starts", () => {
    stubEnv({ ...complete, VERCEL: "1", NODE_ENV: "production" });
    expect(getConfig().DATABASE_URL).toBe(complete.DATABASE_URL);
  });

  test("behavior: outside production the embedded defaults still apply (npm run dev)", () => {
    stubEnv({ NODE_ENV: "development" });
    const config = getConfig();
    expect(config.PAYGENT_NETWORK).toBe("devnet");
    expect(config.DATABASE_URL).toBeUndefined();
  });
});

describe("npm run check:env", () => {
  function run(argv: string[], env: Env) {
    let out = "";
    let err = "";
    const code = checkEnvCli(argv, env, {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
    });
    return { code, out, err };
  }

  test("behavior: a complete environment prints what backs it, never a value", () => {
    const { code, out } = run([], { ...complete, VERCEL: "1" });
    expect(code).toBe(0);
    expect(out).toBe(
      "✓ production configuration is complete: network cronos-testnet, database neon, cache upstash, workflow world vercel\n",
    );
    for (const name of ["AGENT_PRIVATE_KEY", "DATABASE_URL", "KV_REST_API_TOKEN", "WEBHOOK_SECRET"])
      expect(out).not.toContain(complete[name]);
  });

  test("behavior: --env-file checks a dotenv file such as `vercel env pull` writes", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "paygent-env-"));
    try {
      const file = path.join(dir, ".env.production.local");
      writeFileSync(
        file,
        Object.entries(complete)
          .map(([name, value]) => `${name}="${value}"`)
          .join("\n"),
      );
      expect(run(["--env-file", file], {}).code).toBe(0);
      writeFileSync(file, 'PAYGENT_NETWORK="cronos"\n');
      const partial = run(["--env-file", file], {});
      expect(partial.code).toBe(1);
      expect(partial.err).toMatch(/^✗ Refusing .* Set: AGENT_PRIVATE_KEY, DATABASE_URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("error: the npm script exits 1 on an empty environment and names the variables", async () => {
    const child = spawn("npm", ["run", "--silent", "check:env"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err).toContain("Set: PAYGENT_NETWORK, AGENT_PRIVATE_KEY, DATABASE_URL");
  }, 60_000);
});
