import { spawnSync } from "node:child_process";
import path from "node:path";
import { createScratchDatabase } from "./db.js";

const root = path.resolve(import.meta.dirname, "../..");

/** A host's environment on a scratch database, and how to drop it. */
export interface PostgresWorld {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A scratch database set up as `npm run setup:postgres` sets one up (the workflow world's schema
 * and the app's migrations), with the environment a host needs to run on it: the app's tables and
 * the world's queue and run state in the same database, as self-hosting does.
 */
export async function createPostgresWorld(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<PostgresWorld> {
  const scratch = await createScratchDatabase(name);
  const env = {
    DATABASE_URL: scratch.url,
    WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
    WORKFLOW_POSTGRES_URL: scratch.url,
    ...extraEnv,
  };
  const setup = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "dev/setupPostgres.ts"],
    { cwd: root, env: { ...process.env, ...env, LOG_LEVEL: "warn" }, encoding: "utf8" },
  );
  if (setup.status !== 0) {
    await scratch.drop().catch(() => {});
    throw new Error(`setup:postgres failed:\n${setup.stdout}${setup.stderr}`);
  }
  return { env, drop: () => scratch.drop() };
}

/**
 * A host's Postgres database on a scratch database: the app's tables only for the local world
 * (the host migrates them at start), or with the Postgres world's queue and run state beside them
 * (createPostgresWorld).
 */
export async function createHostDatabase(
  name: string,
  world: "local" | "postgres",
): Promise<PostgresWorld> {
  if (world === "postgres") return createPostgresWorld(name);
  const scratch = await createScratchDatabase(name);
  return { env: { DATABASE_URL: scratch.url }, drop: () => scratch.drop() };
}
