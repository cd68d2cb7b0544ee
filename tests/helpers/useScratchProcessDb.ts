import type { Kysely } from "kysely";
import { afterAll, beforeAll } from "vitest";
import { closeCache } from "../../lib/cache/index.js";
import { resetConfig } from "../../lib/config.js";
import type { Database } from "../../lib/db/database.js";
import { closeDb } from "../../lib/db/index.js";
import { createTestDb, type TestDb } from "./db.js";

/** Extra variables for the process, fixed or computed in beforeAll (after the database exists). */
export type ScratchProcessEnv =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>);

export interface ScratchProcessDbOptions {
  /** Set along with DATABASE_URL, before the config is re-read. */
  env?: ScratchProcessEnv;
  /** Deleted from process.env after `env` is set (e.g. REDIS_URL, so the cache stays in memory). */
  unset?: string[];
}

/** The scratch database the process points at; read it inside tests and later hooks only. */
export interface ScratchProcessDb {
  /** The test's own handle on the database getDb() also opens. */
  readonly db: Kysely<Database>;
  /** The database's URL (the process's DATABASE_URL while the file runs). */
  readonly url: string;
  readonly testDb: TestDb;
}

/**
 * Route handlers, authenticate() and guard() reach the database through getDb(), which follows
 * DATABASE_URL through the cached config: a test of them needs the process pointed at a scratch
 * Postgres database and pointed back afterwards. This registers that as the file's beforeAll and
 * afterAll; call it at the top level before the file's own hooks, so its beforeAll runs first
 * (hooks run in registration order) and its afterAll last (vitest's default "stack" order).
 *
 * beforeAll: createTestDb("pg"), set DATABASE_URL and `env`, delete `unset`, then resetConfig,
 * closeDb and closeCache so the next getDb()/getCache() opens against the new configuration.
 * afterAll: closeDb, closeCache, restore process.env as it was at the call, resetConfig, drop the
 * database.
 */
export function useScratchProcessDb(options: ScratchProcessDbOptions = {}): ScratchProcessDb {
  const saved: NodeJS.ProcessEnv = { ...process.env };
  let testDb: TestDb | undefined;

  const current = (): TestDb => {
    if (!testDb) throw new Error("useScratchProcessDb: the scratch database exists from beforeAll");
    return testDb;
  };

  beforeAll(async () => {
    testDb = await createTestDb("pg");
    const env = typeof options.env === "function" ? await options.env() : options.env;
    Object.assign(process.env, { DATABASE_URL: testDb.url }, env);
    for (const name of options.unset ?? []) delete process.env[name];
    resetConfig();
    await closeDb();
    await closeCache();
  });

  afterAll(async () => {
    await closeDb();
    await closeCache();
    process.env = saved;
    resetConfig();
    await testDb?.dispose();
  });

  return {
    get db(): Kysely<Database> {
      return current().db;
    },
    get url(): string {
      const { url } = current();
      if (url === undefined) throw new Error("useScratchProcessDb: a pg test database has a URL");
      return url;
    },
    get testDb(): TestDb {
      return current();
    },
  };
}
