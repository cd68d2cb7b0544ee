import type { Kysely } from "kysely";
import { type Config, getConfig, isNeonUrl } from "../config.js";
import { clearProcessSingleton, processSingleton } from "../singleton.js";
import { answeringRequest } from "../world/requestsFirst.js";
import { createDb, type DatabaseDriver, type DbHandle } from "./createDb.js";
import type { Database } from "./database.js";
import { lockDataDir } from "./lockDataDir.js";
import { migrateToLatest } from "./migrate.js";

export * from "./createDb.js";
export type * from "./database.js";
export { migrateToLatest } from "./migrate.js";

/** Picks the driver the configuration asks for: Neon host → neon, other URL → pg, none → PGlite. */
export function databaseDriverFor(config: Config): DatabaseDriver {
  if (!config.DATABASE_URL) return "pglite";
  if (config.DATABASE_DRIVER) return config.DATABASE_DRIVER;
  return isNeonUrl(config.DATABASE_URL) ? "neon" : "pg";
}

/** Opens (once per process) the configured database and migrates it to the latest schema. */
export function getDbHandle(): Promise<DbHandle> {
  const handle = processSingleton("db", async () => {
    const config = getConfig();
    const driver = databaseDriverFor(config);
    // PGlite is single-process: a second process on the same folder (keys:create while the dev
    // host runs) loses its writes and risks corrupting it. Refuse clearly instead (issue 20).
    const onDisk = driver === "pglite" && !/^\w+:\/\//.test(config.PGLITE_DATA_DIR);
    const release = onDisk ? lockDataDir(config.PGLITE_DATA_DIR) : () => {};
    try {
      const opened = await createDb({
        driver,
        url: config.DATABASE_URL,
        dataDir: config.PGLITE_DATA_DIR,
        pgliteThread: config.PGLITE_WORKER ? "worker" : "main",
        pgliteNamedStatements: config.PGLITE_NAMED_STATEMENTS,
        pgNamedStatements: config.PG_NAMED_STATEMENTS,
        answeringRequest,
        ...(config.DB_QUERY_LOG ? { queryLog: config.DB_QUERY_LOG } : {}),
      });
      await migrateToLatest(opened.db);
      return {
        ...opened,
        close: async () => {
          await opened.close();
          release();
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  });
  // A block body: returning the cleared (rejected) promise would make this catch reject unhandled.
  handle.catch(() => {
    clearProcessSingleton("db");
  });
  return handle;
}

/** The process-wide kysely instance. */
export async function getDb(): Promise<Kysely<Database>> {
  return (await getDbHandle()).db;
}

/** Closes the process-wide database (tests, graceful shutdown). */
export async function closeDb(): Promise<void> {
  const current = clearProcessSingleton<Promise<DbHandle>>("db");
  if (current) await (await current.catch(() => undefined))?.close();
}
