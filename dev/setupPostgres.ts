import { spawnSync } from "node:child_process";
import path from "node:path";
import { getConfig } from "../lib/config.js";
import { createDb, migrateToLatest } from "../lib/db/index.js";

/**
 * `npm run setup:postgres`: prepares a self-hosted deployment on the Postgres world.
 * 1. Bootstraps the Workflow DevKit schemas (workflow, graphile_worker, workflow_drizzle) in
 *    WORKFLOW_POSTGRES_URL with the world's own bootstrap script.
 * 2. Runs Paygent's migrations in DATABASE_URL (it may be the same database).
 */
async function main(): Promise<void> {
  const config = getConfig();
  if (!config.WORKFLOW_POSTGRES_URL) throw new Error("WORKFLOW_POSTGRES_URL is required");
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL is required (the app's own database)");

  const bootstrap = path.join(process.cwd(), "node_modules/@workflow/world-postgres/bin/setup.js");
  const result = spawnSync(process.execPath, [bootstrap], {
    stdio: "inherit",
    env: { ...process.env, WORKFLOW_POSTGRES_URL: config.WORKFLOW_POSTGRES_URL },
  });
  if (result.status !== 0)
    throw new Error(`workflow schema bootstrap failed (exit ${result.status})`);

  const { db, close } = await createDb({ driver: "pg", url: config.DATABASE_URL });
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(`app migrations: ${applied.length ? applied.join(", ") : "up to date"}\n`);
  } finally {
    await close();
  }
}

main().catch((error) => {
  process.stderr.write(`setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
