import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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
import { apiExcludeFiles } from "../../dev/traceFunctions.js";
import { checkProductionEnv } from "../../lib/config/checkProductionEnv.js";
import { parseConfig } from "../../lib/config.js";
import { isDevOnly } from "../helpers/devOnly.js";

/** vercel.json against what the platform allows, checked without running `vercel build`. */

const root = path.resolve(import.meta.dirname, "../..");
const vercelJson = JSON.parse(readFileSync(path.join(root, "vercel.json"), "utf8")) as {
  buildCommand: string;
  functions: Record<string, { maxDuration?: number; excludeFiles?: string }>;
  crons: { path: string; schedule: string }[];
};

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
  test("error: excludeFiles stays within Vercel's 256-character limit", () => {
    // The trace itself (what the functions carry) is checked in tests/long/functionTrace.test.ts.
    expect(apiExcludeFiles(root)).toBeDefined();
    expect(apiExcludeFiles(root)!.length).toBeLessThanOrEqual(256);
  });

  test("behavior: SSE streams end before the api functions' maxDuration", () => {
    const maxDuration = vercelJson.functions["api/**/*.ts"]?.maxDuration;
    expect(maxDuration).toBeDefined();
    // Room for the cold start and the database before the stream starts.
    expect(parseConfig({}).SSE_MAX_DURATION_SECONDS).toBeLessThanOrEqual(maxDuration! - 10);
  });

  test("behavior: no api or workflow file imports dev-only code, statically or dynamically", () => {
    const importOf = /(?:from\s+|import\s*\(\s*|import\s+)"(\.{1,2}\/[^"]+)"/g;
    // The workflow build bundles workflows/ (and its steps) into functions of its own.
    const workflowFiles = readdirSync(path.join(root, "workflows"), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => path.join(root, "workflows", file));
    const entries = [...discoverApiRoutes(root).map((route) => route.file), ...workflowFiles];
    expect(workflowFiles.length).toBeGreaterThan(0);
    const offenders: string[] = [];
    for (const entry of entries) {
      const seen = new Set<string>();
      const queue: { file: string; via: string[] }[] = [{ file: entry, via: [] }];
      while (queue.length > 0) {
        const { file, via } = queue.shift()!;
        const relative = path.relative(root, file);
        if (seen.has(relative)) continue;
        seen.add(relative);
        if (isDevOnly(relative)) {
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
});
