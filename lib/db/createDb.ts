import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PGliteDialect, PostgresDialect, type PostgresPool } from "kysely";
import type { Database } from "./database.js";

/** Which driver backs the database. */
export type DatabaseDriver = "pglite" | "pg" | "neon";

export interface CreateDbParameters {
  driver: DatabaseDriver;
  /** Connection string for "pg" and "neon". */
  url?: string;
  /** Data directory for "pglite" (created when missing); omit for an in-memory database. */
  dataDir?: string;
  /**
   * "pglite": run the engine in a worker thread (default), so queries leave the event loop, or on
   * the calling thread ("main").
   */
  pgliteThread?: "worker" | "main";
  /** "pglite": start from a dumped data directory (tarball bytes), e.g. a migrated snapshot. */
  loadDataDir?: Uint8Array;
  /** Pool size for "pg" and "neon". */
  maxConnections?: number;
}

export interface DbHandle {
  db: Kysely<Database>;
  driver: DatabaseDriver;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
}

/** Opens a kysely instance on the chosen driver. Migrations are separate (see migrateToLatest). */
export async function createDb(parameters: CreateDbParameters): Promise<DbHandle> {
  const { driver } = parameters;
  if (driver === "pglite") {
    if (parameters.dataDir)
      mkdirSync(path.dirname(path.resolve(parameters.dataDir)), { recursive: true });
    const loadDataDir = parameters.loadDataDir;
    if ((parameters.pgliteThread ?? "worker") === "worker") {
      const [{ startPgliteWorker }, { PgliteWorkerDialect }] = await Promise.all([
        import("./pglite/startPgliteWorker.js"),
        import("./pglite/pgliteWorkerDialect.js"),
      ]);
      const worker = startPgliteWorker({ dataDir: parameters.dataDir, loadDataDir });
      try {
        await worker.waitReady;
      } catch (error) {
        await worker.close().catch(() => {});
        throw error;
      }
      const db = new Kysely<Database>({ dialect: new PgliteWorkerDialect(worker) });
      return { db, driver, close: () => db.destroy() };
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = await PGlite.create({
      dataDir: parameters.dataDir,
      ...(loadDataDir ? { loadDataDir: new Blob([new Uint8Array(loadDataDir)]) } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    return { db, driver, close: () => db.destroy() };
  }
  if (!parameters.url) throw new Error(`The ${driver} driver needs a connection URL`);
  if (driver === "neon") {
    const { Pool, neonConfig } = await import("@neondatabase/serverless");
    if (typeof WebSocket === "undefined" && !neonConfig.webSocketConstructor) {
      const { default: ws } = await import("ws");
      neonConfig.webSocketConstructor = ws;
    }
    const pool = new Pool({
      connectionString: parameters.url,
      max: parameters.maxConnections ?? 10,
    });
    // Neon's Client#connect resolves to void, so it is not typed as kysely's PostgresPool.
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }),
    });
    return { db, driver, close: () => db.destroy() };
  }
  const pg = await import("pg");
  const pool = new pg.default.Pool({
    connectionString: parameters.url,
    max: parameters.maxConnections ?? 10,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, driver, close: () => db.destroy() };
}
