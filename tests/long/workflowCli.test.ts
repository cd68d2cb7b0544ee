import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.js";
import { LOCAL_POSTGRES } from "../helpers/db.js";
import { freePort } from "../helpers/devnet.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { createPostgresWorld } from "../helpers/postgresWorld.js";
import { execute, waitForRun } from "../helpers/runs.js";
import { requireService } from "../helpers/services.js";

/**
 * The Workflow DevKit's own inspection (`npx workflow inspect …`) on this project's runs: a real
 * host runs a balance command, then the CLI, as a separate process started from the project root
 * with only the environment the host's world needs, lists the runs and the finished run's steps.
 * `npx workflow web` (its UI reads runs through node:sqlite, so it needs Node ≥ 22.5) is checked
 * the same way on a Node 22 taken from the npm registry, in a real headless Chromium.
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
      const postgres = await createPostgresWorld("paygent_inspect");
      cleanups.push(postgres.drop);
      return postgres.env;
    },
    // The runtime does not fall back to DATABASE_URL, and neither does the CLI.
    cliEnv: (host) => ({
      WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
      WORKFLOW_POSTGRES_URL: host.env.WORKFLOW_POSTGRES_URL!,
    }),
  },
];

/**
 * `npx workflow <args>` from the project root, with a clean environment plus `env`; `output()`
 * is what it printed so far on stdout and stderr.
 */
function spawnWorkflowCli(args: string[], env: Record<string, string>, node = process.execPath) {
  const child = spawn(node, [path.join(root, "node_modules/workflow/bin/run.js"), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const printed = { out: "", err: "" };
  child.stdout.on("data", (chunk) => {
    printed.out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    printed.err += chunk;
  });
  return { child, printed, output: () => printed.out + printed.err };
}

/** Runs `npx workflow <args>` to its end (killed after 2 minutes). */
function workflowCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const { child, printed } = spawnWorkflowCli(args, env);
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ ...printed, code });
    });
  });
}

/**
 * A Node that runs `workflow web`: this one if it is ≥ 22.5, else Node 22 from the npm registry
 * (the `node` package, as README's `npx -p node@22` does; npm caches it after the first time).
 */
let webNode: string | undefined;
function nodeForWebUi(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) return process.execPath;
  if (webNode) return webNode;
  const fetched = spawnSync(
    "npm",
    ["exec", "--yes", "--package=node@22", "--", "node", "-p", "process.execPath"],
    { cwd: root, encoding: "utf8", timeout: 240_000 },
  );
  const found = fetched.stdout.trim().split("\n").pop() ?? "";
  if (fetched.status !== 0 || !found.startsWith("/"))
    throw new Error(`no Node 22 from the npm registry: ${fetched.stderr || fetched.error}`);
  webNode = found;
  return found;
}

/** `workflow web --noBrowser` on a free port until `stop`; resolves once it is listening. */
async function startWebUi(
  env: Record<string, string>,
): Promise<{ url: string; stop(): void; output(): string }> {
  const node = nodeForWebUi();
  const port = await freePort();
  const { child, output } = spawnWorkflowCli(
    ["web", "--noBrowser", `--webPort=${port}`],
    env,
    node,
  );
  const stop = () => child.kill("SIGKILL");
  const deadline = Date.now() + 120_000;
  while (!output().includes(`listening on port ${port}`)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`workflow web did not start:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url: `http://127.0.0.1:${port}`, stop, output };
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

      // The web UI: the runs list shows the run, and the run's page its named steps.
      const web = await startWebUi(env);
      cleanups.push(async () => web.stop());
      const browser = await launchBrowser();
      cleanups.push(() => browser.close());
      // Tall enough for the whole event list, which renders only the rows in view.
      const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
      await page.goto(`${web.url}/?resource=run`);
      const row = page.locator("tr", { hasText: ours!.runId });
      await row.waitFor({ timeout: 60_000 });
      expect(await row.innerText()).toMatch(/agentCommand[\s\S]*Completed/);
      await page.goto(`${web.url}/run/${ours!.runId}`);
      // The Events tab names every step (the trace may draw a short step too narrow to label).
      await page.getByText("Events", { exact: true }).click();
      const completed = balanceSteps.map((name) => new RegExp(`Step Completed\\s+${name}\\b`));
      const deadline = Date.now() + 60_000;
      let text = "";
      while (Date.now() < deadline) {
        text = await page.innerText("body");
        if (completed.every((line) => line.test(text))) break;
        await page.waitForTimeout(500);
      }
      for (const line of completed) expect(text, web.output()).toMatch(line);
    },
    600_000,
  );
});
