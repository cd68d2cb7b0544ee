import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type DatabaseDriver, type DbHandle, migrateToLatest } from "../../lib/db/index.js";

/** The local PostgreSQL server this machine kind runs (trust auth). */
export const LOCAL_POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** URL of a database on the local server, given its name. */
export function localDatabaseUrl(name: string): string {
  const url = new URL(LOCAL_POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty, uniquely named database on the local server and returns its URL. */
export async function createScratchDatabase(prefix = "paygent_t"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: LOCAL_POSTGRES });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: localDatabaseUrl(name),
    async drop() {
      const client = new pg.Client({ connectionString: LOCAL_POSTGRES });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestDb extends DbHandle {
  url?: string;
  /** Closes the connection and drops the scratch database. */
  dispose(): Promise<void>;
}

/**
 * A freshly migrated database for one test file. "pg" (default) is a scratch database on the
 * local server; "pglite" is an in-memory embedded one. (Neon is covered by the contract suite.)
 */
export async function createTestDb(driver: Exclude<DatabaseDriver, "neon"> = "pg"): Promise<TestDb> {
  if (driver === "pglite") {
    const handle = await createDb({ driver: "pglite" });
    await migrateToLatest(handle.db);
    return { ...handle, dispose: () => handle.close() };
  }
  const scratch = await createScratchDatabase();
  const handle = await createDb({ driver: "pg", url: scratch.url, maxConnections: 20 });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: scratch.url,
    async dispose() {
      await handle.close();
      await scratch.drop();
    },
  };
}
