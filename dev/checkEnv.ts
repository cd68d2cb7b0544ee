/**
 * `npm run check:env [-- --env-file <file>]`: validates a production environment (process.env,
 * or a dotenv file such as the one `vercel env pull` writes) and exits 1 with one message naming
 * every variable to set. Configuration only: no connection is opened, so it runs in CI and at
 * build time. Values are never printed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, parseEnv } from "node:util";
import { checkProductionEnv, type Env } from "../lib/config/checkProductionEnv.js";
import { parseConfig } from "../lib/config.js";
import { databaseDriverFor } from "../lib/db/index.js";

/** Runs the check and returns the exit code; writes the verdict to `out` / `err`. */
export function main(
  argv: string[],
  env: Env,
  io: { out: (text: string) => void; err: (text: string) => void },
): number {
  let values: { "env-file"?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { "env-file": { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: npm run check:env [-- --env-file <file>]\n`);
    return 2;
  }
  let checked: Env = env;
  if (values["env-file"]) {
    // The file's values win over the shell's, as `node --env-file` would not: this checks the file.
    checked = { ...env, ...(parseEnv(readFileSync(values["env-file"], "utf8")) as Env) };
  }
  const result = checkProductionEnv({ env: checked, parseConfig });
  if (!result.ok) {
    io.err(`✗ ${result.error.message}\n`);
    return 1;
  }
  const { config } = result;
  const cache = config.UPSTASH_REDIS_REST_URL || config.KV_REST_API_URL ? "upstash" : "redis";
  const world = config.WORKFLOW_TARGET_WORLD ?? (checked.VERCEL === "1" ? "vercel" : "local");
  io.out(
    `✓ production configuration is complete: network ${config.PAYGENT_NETWORK}, database ${databaseDriverFor(config)}, cache ${cache}, workflow world ${world}\n`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
