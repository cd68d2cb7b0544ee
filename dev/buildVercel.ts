import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatePrivateKey } from "viem/accounts";
import { checkProductionEnv } from "../lib/config/checkProductionEnv.js";
import { parseConfig } from "../lib/config.js";
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
/** Dev-only code and packages that vercel.json's excludeFiles keeps out of api functions. */
const devOnly = [
  "lib/chain/devnet",
  "dev",
  "contracts",
  "node_modules/@electric-sql/pglite",
  "node_modules/@foundry-rs",
  "node_modules/@uniswap",
  "node_modules/solc",
  "node_modules/@sparticuz",
  "node_modules/playwright-core",
];

const workflowFunctions = [
  { name: "flow", topic: /^__wkf_workflow_/ },
  { name: "step", topic: /^__wkf_step_/ },
] as const;

/**
 * The environment the offline build runs with. The build command starts with `npm run check:env`
 * (a deployment with an unsafe configuration must not build); a local or CI check of the build
 * output has no production secrets, so it gets a complete placeholder environment: random keys
 * and secrets, and `.invalid` hosts that can never resolve. A complete real environment is kept.
 */
export function buildEnvironment(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  placeholder: boolean;
} {
  if (checkProductionEnv({ env, parseConfig }).ok) return { env, placeholder: false };
  const secret = () => generatePrivateKey().slice(2, 34);
  return {
    placeholder: true,
    env: {
      ...env,
      PAYGENT_NETWORK: "cronos-testnet",
      AGENT_PRIVATE_KEY: generatePrivateKey(),
      DATABASE_URL: "postgres://paygent@build-check.invalid:5432/paygent",
      KV_REST_API_URL: "https://build-check.invalid",
      KV_REST_API_TOKEN: secret(),
      WEBHOOK_SECRET: secret(),
      CRON_SECRET: secret(),
      PAYGENT_ADMIN_KEY: `pgk_${secret()}`,
    },
  };
}

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
  const build = buildEnvironment(process.env);
  if (build.placeholder) {
    process.stdout.write(
      "build:vercel: this environment is not a complete production one; building with placeholder production variables\n",
    );
  }
  const child = spawn(process.execPath, [cli, "build", "--yes"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    // No telemetry and no update check: the build must work without a network.
    env: { ...build.env, VERCEL_TELEMETRY_DISABLED: "1", NO_UPDATE_NOTIFIER: "1", CI: "1" },
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
  const devLeaks: string[] = [];
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
      const carried = devOnly.filter((dir) =>
        existsSync(path.join(outputDir, "functions", `${functionPath}.func`, dir)),
      );
      for (const dir of carried) devLeaks.push(`${functionPath}.func/${dir}`);
    }
  }
  check(
    "no api function carries the devnet, the embedded database or fixtures",
    devLeaks.length === 0,
    devLeaks.slice(0, 5).join(", ") || undefined,
  );
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

/** Vercel's limit on a function's uncompressed size. */
export const FUNCTION_SIZE_LIMIT_BYTES = 250 * 1024 * 1024;

/** Bytes in a folder, following symlinks (what the function actually carries). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) continue;
    total += stat.isDirectory() ? folderBytes(full) : stat.size;
  }
  return total;
}

/** Every function of the build output with its uncompressed size, largest first. */
export function functionSizes(outputDir: string): { name: string; bytes: number }[] {
  const functionsDir = path.join(outputDir, "functions");
  const sizes: { name: string; bytes: number }[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name.endsWith(".func")) {
        const name = path
          .relative(functionsDir, full)
          .replace(/\\/g, "/")
          .replace(/\.func$/, "");
        sizes.push({ name, bytes: folderBytes(full) });
      } else if (entry.isDirectory()) walk(full);
    }
  };
  walk(functionsDir);
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

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
  // Function sizes: what each function carries (dev-only code and packages stay out, see vercel.json).
  const sizes = functionSizes(path.join(root, ".vercel/output"));
  for (const { name, bytes } of sizes) process.stdout.write(`${mb(bytes).padStart(9)}  ${name}\n`);
  if (sizes.length > 0) {
    const largest = sizes[0]!;
    checks.push({
      name: `every function is under ${mb(FUNCTION_SIZE_LIMIT_BYTES)}`,
      ok: largest.bytes <= FUNCTION_SIZE_LIMIT_BYTES,
      detail: `${sizes.length} functions, ${mb(sizes.at(-1)!.bytes)}–${mb(largest.bytes)} (largest ${largest.name})`,
    });
  }
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
