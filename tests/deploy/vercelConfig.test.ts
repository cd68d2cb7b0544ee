import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildEnvironment } from "../../dev/buildVercel.js";
import { discoverApiRoutes } from "../../dev/routes.js";
import {
  CHAIN_CRON_PATH,
  cronPlanFor,
  main as cronScheduleCli,
  DEFAULT_CHAIN_CRON_SCHEDULE,
  readChainCronSchedule,
  validateCronSchedule,
} from "../../dev/setCronSchedule.js";
import { apiExcludeFiles, traceFunctions } from "../../dev/traceFunctions.js";
import { checkProductionEnv } from "../../lib/config/checkProductionEnv.js";
import { parseConfig } from "../../lib/config.js";

/** vercel.json against what the platform allows, checked without running `vercel build`. */

const root = path.resolve(import.meta.dirname, "../..");
const vercelJson = JSON.parse(readFileSync(path.join(root, "vercel.json"), "utf8")) as {
  buildCommand: string;
  functions: Record<string, { maxDuration?: number; excludeFiles?: string }>;
  crons: { path: string; schedule: string }[];
};

/** Dev-only code and packages no function may carry. */
const devOnly = [
  /^lib\/chain\/devnet\//,
  /^dev\//,
  /^tests\//,
  /^contracts\//,
  /^node_modules\/@electric-sql\/pglite\//,
  /^node_modules\/@foundry-rs\//,
  /^node_modules\/@uniswap\//,
  /^node_modules\/@openzeppelin\//,
  /^node_modules\/solc\//,
  /^node_modules\/@sparticuz\//,
  /^node_modules\/playwright-core\//,
];

describe("cron", () => {
  test("behavior: the chain watcher's default schedule runs once a day, which Hobby accepts", () => {
    expect(readChainCronSchedule(path.join(root, "vercel.json"))).toBe(DEFAULT_CHAIN_CRON_SCHEDULE);
    expect(cronPlanFor(DEFAULT_CHAIN_CRON_SCHEDULE)).toBe("hobby");
    expect(existsSync(path.join(root, "api", `${CHAIN_CRON_PATH.slice("/api/".length)}.ts`))).toBe(
      true,
    );
  });

  test("args: more than once a day needs Pro; fixed minute and hour is Hobby", () => {
    expect(cronPlanFor("0 4 * * *")).toBe("hobby");
    expect(cronPlanFor("30 23 * * 1-5")).toBe("hobby");
    expect(cronPlanFor("*/5 * * * *")).toBe("pro");
    expect(cronPlanFor("0 * * * *")).toBe("pro");
    expect(cronPlanFor("0 4,16 * * *")).toBe("pro");
    expect(cronPlanFor("0-5 4 * * *")).toBe("pro");
  });

  test("error: malformed schedules are named field by field", () => {
    expect(validateCronSchedule("*/5 * * * *")).toEqual([]);
    expect(validateCronSchedule("0 4 * *")).toEqual([
      "needs 5 fields (minute hour day month weekday), got 4",
    ]);
    expect(validateCronSchedule("61 24 0 13 8")).toHaveLength(5);
    expect(validateCronSchedule("*/0 * * * *")[0]).toMatch(/^minute/);
    expect(validateCronSchedule("@daily * * * *")[0]).toMatch(/^minute/);
  });

  test("behavior: npm run cron:schedule rewrites only the chain cron and states the plan", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "paygent-vercel-"));
    try {
      const file = path.join(dir, "vercel.json");
      copyFileSync(path.join(root, "vercel.json"), file);
      const out: string[] = [];
      const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
      expect(cronScheduleCli(["*/5 * * * *"], io, file)).toBe(0);
      expect(out.at(-1)).toMatch(
        /"\*\/5 \* \* \* \*" \(UTC\): more than once a day: needs Vercel Pro/,
      );
      const changed = JSON.parse(readFileSync(file, "utf8"));
      expect(changed.crons).toEqual([{ path: CHAIN_CRON_PATH, schedule: "*/5 * * * *" }]);
      expect(changed.functions).toEqual(vercelJson.functions);
      expect(cronScheduleCli(["--default"], io, file)).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(readFileSync(path.join(root, "vercel.json"), "utf8"));
      expect(cronScheduleCli(["every", "hour"], io, file)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("build", () => {
  test("behavior: the Vercel build refuses an unsafe production configuration first", () => {
    expect(vercelJson.buildCommand).toMatch(/^npm run --silent check:env && /);
  });

  test("behavior: the offline build check gets placeholder variables only when the real ones are incomplete", () => {
    const placeholder = buildEnvironment({ PATH: "/usr/bin" });
    expect(placeholder.placeholder).toBe(true);
    expect(checkProductionEnv({ env: placeholder.env, parseConfig }).ok).toBe(true);
    expect(placeholder.env.PATH).toBe("/usr/bin");
    expect(new URL(placeholder.env.DATABASE_URL!).hostname).toMatch(/\.invalid$/);
    expect(buildEnvironment(placeholder.env)).toEqual({ env: placeholder.env, placeholder: false });
    // Fresh random secrets each time: nothing guessable is ever written down.
    expect(buildEnvironment({}).env.AGENT_PRIVATE_KEY).not.toBe(placeholder.env.AGENT_PRIVATE_KEY);
  });
});

describe("functions", () => {
  test("behavior: SSE streams end before the api functions' maxDuration", () => {
    const maxDuration = vercelJson.functions["api/**/*.ts"]?.maxDuration;
    expect(maxDuration).toBeDefined();
    // Room for the cold start and the database before the stream starts.
    expect(parseConfig({}).SSE_MAX_DURATION_SECONDS).toBeLessThanOrEqual(maxDuration! - 10);
  });

  test("behavior: no api file imports dev-only code, statically or dynamically", () => {
    const importOf = /(?:from\s+|import\s*\(\s*|import\s+)"(\.{1,2}\/[^"]+)"/g;
    const offenders: string[] = [];
    for (const route of discoverApiRoutes(root)) {
      const seen = new Set<string>();
      const queue: { file: string; via: string[] }[] = [{ file: route.file, via: [] }];
      while (queue.length > 0) {
        const { file, via } = queue.shift()!;
        const relative = path.relative(root, file);
        if (seen.has(relative)) continue;
        seen.add(relative);
        if (devOnly.some((pattern) => pattern.test(relative))) {
          offenders.push([...via, relative].join(" → "));
          continue;
        }
        for (const [, specifier] of readFileSync(file, "utf8").matchAll(importOf)) {
          const target = path.resolve(path.dirname(file), specifier!).replace(/\.js$/, ".ts");
          if (existsSync(target)) queue.push({ file: target, via: [...via, relative] });
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  test("behavior: the function trace (as @vercel/nft does it) carries no devnet, embedded database or fixtures", async () => {
    // Vercel refuses an excludeFiles pattern longer than 256 characters.
    expect((apiExcludeFiles(root) ?? "").length).toBeLessThanOrEqual(256);
    // api/health reaches the database, the cache, the workflow world and the chain: the widest reach.
    const [trace] = await traceFunctions(root, "api/health");
    expect(trace?.name).toBe("api/health");
    const carried = trace!.files.filter((file) => devOnly.some((pattern) => pattern.test(file)));
    expect(carried).toEqual([]);
    expect(trace!.files).toContain("lib/chain/devnetConstants.ts");
  }, 300_000);
});
