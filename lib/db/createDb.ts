import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type LogEvent,
  PGliteDialect,
  PostgresDialect,
  type PostgresPool,
  type TransactionSettings,
} from "kysely";
import type { Database } from "./database.js";
import { firstInLinePool } from "./firstInLinePool.js";
import { namedStatementsPool } from "./namedStatementsPool.js";

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
  /** "pglite" worker: run prepared queries as named statements (default true). */
  pgliteNamedStatements?: boolean;
  /** "pg": run prepared queries as named statements (default true; see namedStatementsPool). */
  pgNamedStatements?: boolean;
  /** "pglite": start from a dumped data directory (tarball bytes), e.g. a migrated snapshot. */
  loadDataDir?: Uint8Array;
  /** Pool size for "pg" and "neon". */
  maxConnections?: number;
  /**
   * Whether a statement issued now serves an API request in hand: such statements go before
   * queued background ones, in the PGlite worker and when waiting for a pooled connection.
   */
  answeringRequest?: () => boolean;
  /** Append each statement (time, ms, SQL without parameters) to this file (DB_QUERY_LOG). */
  queryLog?: string;
}

export interface DbHandle {
  db: Kysely<Database>;
  driver: DatabaseDriver;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
  /** With PGlite in a worker thread: that thread's CPU time so far, in ms (see threadCpuMs). */
  workerCpuMs?: () => Promise<number | null>;
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
      const worker = startPgliteWorker({
        dataDir: parameters.dataDir,
        loadDataDir,
        answeringRequest: parameters.answeringRequest,
        namedStatements: parameters.pgliteNamedStatements ?? true,
      });
      try {
        await worker.waitReady;
      } catch (error) {
        await worker.close().catch(() => {});
        throw error;
      }
      const db = open(new PgliteWorkerDialect(worker), parameters.queryLog);
      return { db, driver, close: () => db.destroy(), workerCpuMs: () => worker.threadCpuMs() };
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = await PGlite.create({
      dataDir: parameters.dataDir,
      ...(loadDataDir ? { loadDataDir: new Blob([new Uint8Array(loadDataDir)]) } : {}),
    });
    const db = open(new PGliteDialect({ pglite }), parameters.queryLog);
    return { db, driver, close: () => db.destroy() };
  }
  if (!parameters.url) throw new Error(`The ${driver} driver needs a connection URL`);
  const poolSize = parameters.maxConnections ?? 10;
  const answeringRequest = parameters.answeringRequest;
  const inLines = (pool: PostgresPool): PostgresPool =>
    answeringRequest ? firstInLinePool(pool, poolSize, answeringRequest) : pool;
  if (driver === "neon") {
    const { Pool, neonConfig } = await import("@neondatabase/serverless");
    if (typeof WebSocket === "undefined" && !neonConfig.webSocketConstructor) {
      const { default: ws } = await import("ws");
      neonConfig.webSocketConstructor = ws;
    }
    const pool = new Pool({ connectionString: parameters.url, max: poolSize });
    // Neon's Client#connect resolves to void, so it is not typed as kysely's PostgresPool.
    const db = open(
      new PostgresDialect({ pool: inLines(pool as unknown as PostgresPool) }),
      parameters.queryLog,
    );
    return { db, driver, close: () => db.destroy() };
  }
  const pg = await import("pg");
  const pool = new pg.default.Pool({ connectionString: parameters.url, max: poolSize });
  const named = (parameters.pgNamedStatements ?? true) ? namedStatementsPool(pool) : pool;
  const db = open(new PostgresDialect({ pool: inLines(named) }), parameters.queryLog);
  return { db, driver, close: () => db.destroy() };
}

function open(dialect: Dialect, queryLog: string | undefined): Kysely<Database> {
  if (!queryLog) return new Kysely<Database>({ dialect });
  // Synchronous on purpose: lines stay in statement order. Parameters are never written (secrets).
  const write = (ms: number, sql: string) =>
    appendFileSync(queryLog, `${Date.now()} ${ms.toFixed(1)} ${sql.replace(/\s+/g, " ")}\n`);
  const log = (event: LogEvent) => write(event.queryDurationMillis, event.query.sql);
  // BEGIN, COMMIT and ROLLBACK are round trips too, but the driver runs them outside kysely's log.
  const logged: Dialect = {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => {
      const driver = dialect.createDriver();
      const timed =
        (name: string, call: (connection: DatabaseConnection) => Promise<void>) =>
        async (connection: DatabaseConnection) => {
          const started = performance.now();
          await call(connection);
          write(performance.now() - started, name);
        };
      return {
        init: () => driver.init(),
        acquireConnection: () => driver.acquireConnection(),
        releaseConnection: (connection) => driver.releaseConnection(connection),
        destroy: () => driver.destroy(),
        beginTransaction: (connection, settings: TransactionSettings) =>
          timed("BEGIN", (c) => driver.beginTransaction(c, settings))(connection),
        commitTransaction: timed("COMMIT", (c) => driver.commitTransaction(c)),
        rollbackTransaction: timed("ROLLBACK", (c) => driver.rollbackTransaction(c)),
        ...(driver.savepoint
          ? {
              savepoint: driver.savepoint.bind(driver),
              rollbackToSavepoint: driver.rollbackToSavepoint!.bind(driver),
              releaseSavepoint: driver.releaseSavepoint!.bind(driver),
            }
          : {}),
      } satisfies Driver;
    },
  };
  return new Kysely<Database>({ dialect: logged, log });
}
