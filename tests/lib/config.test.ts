import { afterEach, describe, expect, test, vi } from "vitest";
import {
  ConfigError,
  getConfig,
  isNeonUrl,
  parseConfig,
  resetConfig,
  upstashCredentials,
} from "../../lib/config.js";
import { databaseDriverFor } from "../../lib/db/index.js";

/** Parses `env` expecting failure and returns the ConfigError. */
function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("parseConfig accepted an invalid environment");
}

describe("parseConfig", () => {
  test("args: an empty environment yields the documented defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      PGLITE_DATA_DIR: ".data/pglite",
      PAYGENT_NETWORK: "devnet",
      DEVNET_PORT: 8545,
      DEFAULT_APPROVAL_THRESHOLD_USD: "10",
      APPROVAL_TIMEOUT_SECONDS: 86_400,
      MAX_BODY_BYTES: 65_536,
      RATE_LIMIT_PER_MINUTE: 120,
      LOG_LEVEL: "info",
      CORS_ORIGINS: [],
      AUTH_DISABLED: false,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.AGENT_PRIVATE_KEY).toBeUndefined();
  });

  test("args: values are trimmed and coerced; empty strings count as unset", () => {
    const config = parseConfig({
      PORT: "8080",
      DATABASE_URL: "  postgres://postgres@127.0.0.1:5432/paygent  ",
      REDIS_URL: "",
      CORS_ORIGINS: "https://a.example, https://b.example ,,",
      AUTH_DISABLED: "1",
      AGENT_PRIVATE_KEY: `0x${"ab".repeat(32)}`,
    });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/paygent");
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    expect(config.AUTH_DISABLED).toBe(true);
    expect(config.AGENT_PRIVATE_KEY).toBe(`0x${"ab".repeat(32)}`);
  });

  test("error: PORT=abc names the variable", () => {
    const error = configError({ PORT: "abc" });
    expect(error.shortMessage).toBe("Invalid configuration");
    expect(error.metaMessages).toHaveLength(1);
    expect(error.metaMessages?.[0]).toMatch(/^PORT: /);
  });

  test("error: DATABASE_URL=not a url names the variable", () => {
    const error = configError({ DATABASE_URL: "not a url" });
    expect(error.metaMessages).toEqual(["DATABASE_URL: DATABASE_URL must be a URL"]);
  });

  test("error: a short AGENT_PRIVATE_KEY names the variable without echoing the value", () => {
    const tooShort = `0x${"deadbeef".repeat(7)}`;
    for (const value of ["0x12", tooShort]) {
      const error = configError({ AGENT_PRIVATE_KEY: value });
      expect(error.metaMessages).toEqual([
        "AGENT_PRIVATE_KEY: must be a 0x-prefixed 32-byte hex private key",
      ]);
      expect(error.message).not.toContain(value);
    }
  });

  test("error: every malformed variable is reported at once", () => {
    const error = configError({
      PORT: "-1",
      PAYGENT_NETWORK: "mainnet",
      AUTH_DISABLED: "yes",
      REDIS_URL: "//127.0.0.1:6379",
      LOG_LEVEL: "verbose",
    });
    const named = (error.metaMessages ?? []).map((line) => line.split(":")[0]).sort();
    expect(named).toEqual(["AUTH_DISABLED", "LOG_LEVEL", "PAYGENT_NETWORK", "PORT", "REDIS_URL"]);
  });
});

describe("upstashCredentials", () => {
  const url = "https://eu1-example.upstash.io";

  test("behavior: reads the UPSTASH_REDIS_REST_* names", () => {
    const config = parseConfig({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: "t1" });
    expect(upstashCredentials(config)).toEqual({ url, token: "t1" });
  });

  test("behavior: reads Vercel's KV_REST_API_* names", () => {
    const config = parseConfig({ KV_REST_API_URL: url, KV_REST_API_TOKEN: "t2" });
    expect(upstashCredentials(config)).toEqual({ url, token: "t2" });
  });

  test("behavior: the Upstash names win when both are set", () => {
    const config = parseConfig({
      UPSTASH_REDIS_REST_URL: url,
      UPSTASH_REDIS_REST_TOKEN: "upstash",
      KV_REST_API_URL: "https://kv.example",
      KV_REST_API_TOKEN: "kv",
    });
    expect(upstashCredentials(config)).toEqual({ url, token: "upstash" });
  });

  test("behavior: a URL without a token is not a credential", () => {
    expect(upstashCredentials(parseConfig({ UPSTASH_REDIS_REST_URL: url }))).toBeUndefined();
    expect(upstashCredentials(parseConfig({ KV_REST_API_TOKEN: "orphan" }))).toBeUndefined();
  });

  test("error: a malformed KV_REST_API_URL names the variable", () => {
    const error = configError({
      KV_REST_API_URL: "eu1-example.upstash.io",
      KV_REST_API_TOKEN: "t",
    });
    expect(error.metaMessages).toEqual(["KV_REST_API_URL: KV_REST_API_URL must be a URL"]);
  });
});

describe("database driver selection", () => {
  test("behavior: no URL → pglite; Neon host → neon; other host → pg; DATABASE_DRIVER overrides", () => {
    expect(databaseDriverFor(parseConfig({}))).toBe("pglite");
    const neon = "postgres://u:p@ep-cool-name-123456.eu-central-1.aws.neon.tech/neondb";
    expect(isNeonUrl(neon)).toBe(true);
    expect(databaseDriverFor(parseConfig({ DATABASE_URL: neon }))).toBe("neon");
    const local = "postgres://postgres@127.0.0.1:5432/paygent";
    expect(isNeonUrl(local)).toBe(false);
    expect(databaseDriverFor(parseConfig({ DATABASE_URL: local }))).toBe("pg");
    expect(databaseDriverFor(parseConfig({ DATABASE_URL: local, DATABASE_DRIVER: "neon" }))).toBe(
      "neon",
    );
  });
});

describe("getConfig", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  test("behavior: reads process.env once until resetConfig()", () => {
    vi.stubEnv("PORT", "4111");
    resetConfig();
    expect(getConfig().PORT).toBe(4111);
    vi.stubEnv("PORT", "4222");
    expect(getConfig().PORT).toBe(4111);
    resetConfig();
    expect(getConfig().PORT).toBe(4222);
  });
});
