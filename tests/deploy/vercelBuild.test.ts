import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { checkVercelOutput } from "../../dev/buildVercel.js";
import { discoverApiRoutes } from "../../dev/routes.js";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs `npm run build:vercel` as CI would (tsx dev/buildVercel.ts) and collects its output. */
function runBuildVercel(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "dev/buildVercel.ts"],
      {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: "silent" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("vercel build", () => {
  // `vercel build` compiles and type-checks every api/ function and bundles the workflows: about ten
  // minutes on a 2-core machine, too long for `npm test`. CI runs it as its own step
  // (`npm run build:vercel` in .ci/run); PAYGENT_VERCEL_BUILD=1 runs it here as well.
  test.runIf(process.env.PAYGENT_VERCEL_BUILD === "1")(
    "behavior: vercel build runs offline and its output has every function, trigger and cron",
    {
      timeout: 1_800_000,
    },
    async () => {
      const { code, output } = await runBuildVercel();
      const failed = output.split("\n").filter((line) => line.startsWith("✗"));
      expect(failed, output.slice(-4000)).toEqual([]);
      expect(code, output.slice(-4000)).toBe(0);
      expect(output).toMatch(/^PASS \d+ checks$/m);
      for (const route of discoverApiRoutes(root)) {
        const functionPath = path.relative(root, route.file).replace(/\.ts$/, "");
        expect(output).toContain(`✓ function ${functionPath}.func (${route.pattern})`);
      }
      expect(output).toMatch(
        /^✓ workflow flow function with queue triggers — topics __wkf_workflow_/m,
      );
      expect(output).toMatch(/^✓ workflow step function with queue triggers — topics __wkf_step_/m);
      expect(output).toContain('✓ cron /api/cron/chain "0 4 * * *"');
      expect(output).toContain("✓ no api function carries local state");
    },
  );

  test("error: an output without functions or crons fails the checks", () => {
    const outputDir = mkdtempSync(path.join(tmpdir(), "paygent-vercel-output-"));
    try {
      writeFileSync(
        path.join(outputDir, "config.json"),
        JSON.stringify({ version: 3, routes: [] }),
      );
      const checks = checkVercelOutput(root, { outputDir });
      const failed = checks.filter((c) => !c.ok).map((c) => c.name);
      expect(failed).toContain("function api/runs/[id].func (/api/runs/[id])");
      expect(failed).toContain("workflow flow function with queue triggers");
      expect(failed).toContain("workflow webhook function");
      expect(failed).toContain('cron /api/cron/chain "0 4 * * *"');
      expect(failed).toContain("page static/index.html");
      expect(checks.find((c) => c.name === "config.json is Build Output API v3")?.ok).toBe(true);
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  });

  test("error: a missing config.json is reported, not thrown", () => {
    const outputDir = mkdtempSync(path.join(tmpdir(), "paygent-vercel-output-"));
    try {
      const checks = checkVercelOutput(root, { outputDir });
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ name: "config.json exists", ok: false });
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  });
});
