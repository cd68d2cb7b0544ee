import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { discoverApiRoutes } from "./routes.js";

/** One verified property of the build output. */
export interface VercelCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** Options of checkVercelOutput. */
export interface CheckVercelOutputOptions {
  /** Where `vercel build` wrote its output; `<root>/.vercel/output` by default. */
  outputDir?: string;
}

/** What `vercel build` needs to run without logging in: a linked-looking project with no framework. */
const placeholderProject = {
  projectId: "prj_paygent_local",
  orgId: "team_local",
  settings: { framework: null },
};

const localState = [".data", ".workflow-data", ".vercel", ".well-known", "tests"];

const workflowFunctions = [
  { name: "flow", topic: /^__wkf_workflow_/ },
  { name: "step", topic: /^__wkf_step_/ },
] as const;

/**
 * Runs `vercel build` offline (with a placeholder .vercel/project.json when the folder is not
 * linked to a real project) and resolves with its exit code; output goes to this process.
 */
export async function runVercelBuild(root: string): Promise<number> {
  const projectFile = path.join(root, ".vercel/project.json");
  // A real `vercel link` is left alone: its ids matter for real deployments.
  if (!existsSync(projectFile)) {
    mkdirSync(path.dirname(projectFile), { recursive: true });
    writeFileSync(projectFile, `${JSON.stringify(placeholderProject)}\n`);
  }
  const cli = path.join(root, "node_modules/vercel/dist/index.js");
  if (!existsSync(cli))
    throw new Error("The vercel CLI is not installed: run npm install (it is a devDependency)");
  const child = spawn(process.execPath, [cli, "build", "--yes"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    // No telemetry and no update check: the build must work without a network.
    env: { ...process.env, VERCEL_TELEMETRY_DISABLED: "1", NO_UPDATE_NOTIFIER: "1", CI: "1" },
  });
  return await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

function functionConfig(
  outputDir: string,
  functionPath: string,
): Record<string, unknown> | undefined {
  const file = path.join(outputDir, "functions", `${functionPath}.func`, ".vc-config.json");
  return existsSync(file) ? (readJson(file) as Record<string, unknown>) : undefined;
}

/**
 * Checks a Build Output API folder against the project: a function per api/ file, the workflow
 * flow/step functions with their queue triggers, the workflow webhook function and route, the
 * crons of vercel.json, and the page.
 */
export function checkVercelOutput(
  root: string,
  options: CheckVercelOutputOptions = {},
): VercelCheck[] {
  const outputDir = options.outputDir ?? path.join(root, ".vercel/output");
  const checks: VercelCheck[] = [];
  const check = (name: string, ok: boolean, detail?: string) =>
    checks.push({ name, ok, ...(detail ? { detail } : {}) });

  const configFile = path.join(outputDir, "config.json");
  if (!existsSync(configFile)) {
    check("config.json exists", false, `${configFile} is missing: did vercel build run?`);
    return checks;
  }
  const config = readJson(configFile) as {
    version?: number;
    routes?: { src?: string; dest?: string }[];
    crons?: { path: string; schedule: string }[];
  };
  check("config.json is Build Output API v3", config.version === 3, `version ${config.version}`);

  const leaks: string[] = [];
  for (const route of discoverApiRoutes(root)) {
    const functionPath = path.relative(root, route.file).replace(/\\/g, "/").replace(/\.ts$/, "");
    const vc = functionConfig(outputDir, functionPath);
    const runtime = typeof vc?.runtime === "string" ? vc.runtime : undefined;
    check(
      `function ${functionPath}.func (${route.pattern})`,
      vc !== undefined && runtime?.startsWith("nodejs") === true && typeof vc.handler === "string",
      vc ? `runtime ${runtime}` : "missing",
    );
    // Local state (PGlite data, the dev admin key, workflow data) must never ship inside a function.
    if (vc) {
      const leaked = localState.filter((dir) =>
        existsSync(path.join(outputDir, "functions", `${functionPath}.func`, dir)),
      );
      for (const dir of leaked) leaks.push(`${functionPath}.func/${dir}`);
    }
  }
  check(
    "no api function carries local state",
    leaks.length === 0,
    leaks.slice(0, 5).join(", ") || undefined,
  );

  for (const { name, topic } of workflowFunctions) {
    const vc = functionConfig(outputDir, `.well-known/workflow/v1/${name}`);
    const triggers = (vc?.experimentalTriggers ?? []) as { topic?: string; type?: string }[];
    const topics = triggers.map((t) => t.topic ?? "");
    check(
      `workflow ${name} function with queue triggers`,
      vc !== undefined && topics.length > 0 && topics.every((t) => topic.test(t)),
      vc ? `topics ${topics.join(", ") || "none"}` : "missing",
    );
  }

  const webhook = functionConfig(outputDir, ".well-known/workflow/v1/webhook/[token]");
  check("workflow webhook function", webhook !== undefined, webhook ? undefined : "missing");
  check(
    "route /.well-known/workflow/v1/webhook/:token",
    (config.routes ?? []).some((r) => r.dest === "/.well-known/workflow/v1/webhook/[token]"),
  );

  const wanted = ((
    readJson(path.join(root, "vercel.json")) as { crons?: { path: string; schedule: string }[] }
  ).crons ?? []) as { path: string; schedule: string }[];
  check("vercel.json declares crons", wanted.length > 0);
  for (const cron of wanted) {
    check(
      `cron ${cron.path} "${cron.schedule}"`,
      (config.crons ?? []).some((c) => c.path === cron.path && c.schedule === cron.schedule),
      config.crons ? undefined : "config.json has no crons",
    );
  }

  const page = path.join(outputDir, "static/index.html");
  check("page static/index.html", existsSync(page), existsSync(page) ? undefined : "missing");
  // .vercelignore keeps local state out of the deployment; a leak here would publish it.
  for (const local of [".workflow-data", ".data", "tests", "node_modules"]) {
    check(`static/ has no ${local}`, !existsSync(path.join(outputDir, "static", local)));
  }
  return checks;
}

/** `npm run build:vercel`: build, check, print the list, exit non-zero on any failure. */
export async function main(root: string): Promise<number> {
  const started = Date.now();
  const code = await runVercelBuild(root);
  if (code !== 0) {
    process.stdout.write(`✗ vercel build exited with ${code}\n`);
    return 1;
  }
  process.stdout.write(`vercel build finished in ${Math.round((Date.now() - started) / 1000)} s\n`);
  const checks = checkVercelOutput(root);
  for (const c of checks)
    process.stdout.write(`${c.ok ? "✓" : "✗"} ${c.name}${c.detail ? ` — ${c.detail}` : ""}\n`);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(
    failed === 0 ? `PASS ${checks.length} checks\n` : `FAIL ${failed} of ${checks.length} checks\n`,
  );
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.cwd()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
