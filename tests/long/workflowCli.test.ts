import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createScratchDatabase, LOCAL_POSTGRES } from "../helpers/db.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";
import { requireService } from "../helpers/services.js";

/**
 * The Workflow DevKit's own inspection (`npx workflow inspect …`) on this project's runs: a real
 * host runs a balance command, then the CLI, as a separate process started from the project root
 * with only the environment the host's world needs, lists the runs and the finished run's steps.
 */

const root = path.resolve(import.meta.dirname, "../..");
const postgresUp = await requireService("PostgreSQL", LOCAL_POSTGRES, 5432);
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** The balance command's workflow steps, in order (update with the workflow's step names). */
const balanceSteps = ["parse", "plan", "balance"];

interface World {
  name: string;
  available: boolean;
  /** The host's environment for this world. */
  hostEnv(): Promise<Record<string, string>>;
  /** What the CLI needs to read the same world (README: Inspecting runs). */
  cliEnv(host: HostProcess): Record<string, string>;
}

const worlds: World[] = [
  {
    name: "local world",
    available: true,
    hostEnv: async () => ({}),
    // The world's own folder (the host's WORKFLOW_LOCAL_DATA_DIR), not the host's data folder.
    cliEnv: (host) => ({ WORKFLOW_LOCAL_DATA_DIR: host.env.WORKFLOW_LOCAL_DATA_DIR! }),
  },
  {
    name: "Postgres world",
    available: postgresUp,
    hostEnv: async () => {
      const scratch = await createScratchDatabase("paygent_inspect");
      cleanups.push(() => scratch.drop());
      const env = {
        DATABASE_URL: scratch.url,
        WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
        WORKFLOW_POSTGRES_URL: scratch.url,
      };
      const setup = spawnSync(
        process.execPath,
        [path.join(root, "node_modules/tsx/dist/cli.mjs"), "dev/setupPostgres.ts"],
        { cwd: root, env: { ...process.env, ...env, LOG_LEVEL: "warn" }, encoding: "utf8" },
      );
      if (setup.status !== 0) throw new Error(`setup failed:\n${setup.stdout}${setup.stderr}`);
      return env;
    },
    // The runtime does not fall back to DATABASE_URL, and neither does the CLI.
    cliEnv: (host) => ({
      WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
      WORKFLOW_POSTGRES_URL: host.env.WORKFLOW_POSTGRES_URL!,
    }),
  },
];

/** `npx workflow <args>` from the project root, with a clean environment plus `env`. */
function workflowCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules/workflow/bin/run.js"), ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ out, err, code });
    });
  });
}

describe.each(worlds)("workflow inspect ($name)", (world) => {
  it.skipIf(!world.available)(
    "behavior: lists the runs, and the named steps of a finished balance run",
    async () => {
      const host = await startHostProcess({ env: await world.hostEnv() });
      cleanups.push(() => disposeHostData(host.dataDir));
      cleanups.push(() => host.stop());
      const { runId } = await execute(host, { command: "what's my balance" });
      const run = await waitForRun(host, runId);
      expect(run.status).toBe("completed");
      const env = world.cliEnv(host);

      const listed = await workflowCli(["inspect", "runs", "--json", "--withData"], env);
      expect(listed.code, listed.err).toBe(0);
      const runs = JSON.parse(listed.out).data as {
        runId: string;
        status: string;
        workflowName: string;
        input: unknown;
      }[];
      // The workflow run whose input names our run is the one GET /api/runs/{id} points to.
      const ours = runs.find((r) => JSON.stringify(r.input).includes(runId));
      expect(ours, listed.out).toBeDefined();
      expect(run.workflowRunId).toBe(ours!.runId);
      expect(ours).toMatchObject({
        status: "completed",
        workflowName: "workflow//./workflows/agentCommand//agentCommand",
      });

      const table = await workflowCli(["inspect", "runs"], env);
      expect(table.code, table.err).toBe(0);
      expect(table.out).toContain(ours!.runId.slice(-4));
      expect(table.out).toContain("agentCommand");

      const steps = await workflowCli(["inspect", "steps", "--run", ours!.runId, "--json"], env);
      expect(steps.code, steps.err).toBe(0);
      // `inspect steps --json` prints the array itself (`inspect runs --json` wraps it in a page).
      const listedSteps = (
        JSON.parse(steps.out) as { stepName: string; status: string; createdAt: string }[]
      ).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      expect(listedSteps.map((step) => step.stepName.split("//").pop())).toEqual(balanceSteps);
      expect(listedSteps.every((step) => step.status === "completed")).toBe(true);
    },
    600_000,
  );
});
