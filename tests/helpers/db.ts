import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Kysely, PGliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "../../lib/db/database.js";
import {
  createDb,
  type DatabaseDriver,
  type DbHandle,
  migrateToLatest,
} from "../../lib/db/index.js";
import { type NeonBridge, startNeonBridge } from "../bridges/neonBridge.js";
import { requireService } from "./services.js";

/** The local PostgreSQL server this machine kind runs (trust auth). */
export const LOCAL_POSTGRES =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Every driver with whether it can run here: PGlite always, node-postgres and Neon's driver (through
 * the local bridge) when the local PostgreSQL is up. Suites using "neon" close the shared bridge
 * in afterAll (closeSharedNeonBridge).
 */
export async function databaseDrivers(): Promise<{ driver: DatabaseDriver; available: boolean }[]> {
  const postgresUp = await requireService("PostgreSQL", LOCAL_POSTGRES, 5432);
  return [
    { driver: "pglite", available: true },
    { driver: "pg", available: postgresUp },
    { driver: "neon", available: postgresUp },
  ];
}

/** URL of a database on the local server, given its name. */
export function localDatabaseUrl(name: string): string {
  const url = new URL(LOCAL_POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty, uniquely named database on the local server and returns its URL. */
export async function createScratchDatabase(
  prefix = "paygent_t",
): Promise<{ url: string; drop(): Promise<void> }> {
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
      try {
        // A pool's end() resolves before its clients' sockets are closed; FORCE would then kill a
        // backend still closing, and that client raises "terminating connection due to
        // administrator command" as an uncaught error in the test process. Wait for them first.
        for (let waited = 0; waited < 3000; waited += 50) {
          const { rows } = await client.query(
            "select count(*)::int as n from pg_stat_activity where datname = $1",
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestDb extends DbHandle {
  url?: string;
  /** Closes the connection and drops the scratch database. */
  dispose(): Promise<void>;
}

const migrationsDir = fileURLToPath(new URL("../../lib/db/migrations/", import.meta.url));
const migrateFile = fileURLToPath(new URL("../../lib/db/migrate.ts", import.meta.url));

/** Fingerprint of the schema code and PGlite version: a new or edited migration invalidates the snapshot. */
function schemaFingerprint(): string {
  const hash = createHash("sha256");
  const pglitePackage = fileURLToPath(
    new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url),
  );
  for (const file of [pglitePackage, migrateFile]) hash.update(readFileSync(file));
  for (const name of readdirSync(migrationsDir).sort()) {
    hash.update(name).update(readFileSync(path.join(migrationsDir, name)));
  }
  return hash.digest("hex").slice(0, 16);
}

let snapshot: Promise<Uint8Array> | undefined;

/**
 * A tarball of a freshly migrated PGlite data directory, built once per schema and kept in the OS
 * temp dir: initdb in WASM costs ~6 s and ~1 GB, loading the snapshot ~1 s.
 */
function migratedPgliteSnapshot(): Promise<Uint8Array> {
  snapshot ??= (async () => {
    const file = path.join(tmpdir(), `paygent-pglite-${schemaFingerprint()}.tar`);
    try {
      return new Uint8Array(await readFile(file));
    } catch {
      const { PGlite } = await import("@electric-sql/pglite");
      const pglite = await PGlite.create();
      const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
      await migrateToLatest(db);
      const dump = await pglite.dumpDataDir("none");
      await db.destroy();
      const bytes = Buffer.from(await dump.arrayBuffer());
      // Write then rename, so a parallel worker never reads half a snapshot.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, file);
      await removeOlderSnapshots(".tar", file);
      return new Uint8Array(bytes);
    }
  })();
  snapshot.catch(() => {
    snapshot = undefined;
  });
  return snapshot;
}

/** Snapshots of older schemas (40 MB each, as a tarball or a folder) are never read again. */
async function removeOlderSnapshots(extension: ".tar" | ".dir", current: string): Promise<void> {
  const pattern = new RegExp(`^paygent-pglite-[0-9a-f]{16}\\${extension}$`);
  for (const name of await readdir(tmpdir())) {
    const full = path.join(tmpdir(), name);
    if (pattern.test(name) && full !== current) await rm(full, { recursive: true, force: true });
  }
}

let snapshotDir: Promise<string> | undefined;

/**
 * The migrated snapshot unpacked into a PGlite data directory on disk, once per schema, in the OS
 * temp dir: a host started on a copy of it skips initdb and the migrations (~4 s of its start).
 * Copy it (fs.cpSync) before the host starts; never open it in place.
 */
export function migratedPgliteDataDir(): Promise<string> {
  snapshotDir ??= (async () => {
    const dir = path.join(tmpdir(), `paygent-pglite-${schemaFingerprint()}.dir`);
    if (existsSync(path.join(dir, "PG_VERSION"))) return dir;
    const bytes = await migratedPgliteSnapshot();
    // Unpack into a private folder, then rename, so a parallel worker never copies half a folder.
    const partial = `${dir}.${process.pid}.partial`;
    await rm(partial, { recursive: true, force: true });
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = await PGlite.create({
      dataDir: partial,
      loadDataDir: new Blob([new Uint8Array(bytes)]),
    });
    await pglite.close();
    try {
      await rename(partial, dir);
    } catch (error) {
      // Another worker renamed its copy first: use that one.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(dir, "PG_VERSION"))) throw error;
    }
    await removeOlderSnapshots(".dir", dir);
    return dir;
  })();
  snapshotDir.catch(() => {
    snapshotDir = undefined;
  });
  return snapshotDir;
}

let neonBridge: Promise<NeonBridge> | undefined;

/** One Neon WebSocket bridge per test process, configured into the driver's global neonConfig. */
export function sharedNeonBridge(): Promise<NeonBridge> {
  neonBridge ??= startNeonBridge().then((bridge) => {
    bridge.configureNeon();
    return bridge;
  });
  return neonBridge;
}

/**
 * A freshly migrated database for one test file. "pg" (default) is a scratch database on the
 * local server; "neon" is a scratch database reached by the Neon driver through the WebSocket
 * bridge; "pglite" is an in-memory embedded one loaded from a migrated snapshot, in a worker
 * thread as the app runs it (or on the test's thread with pgliteThread "main").
 */
export async function createTestDb(
  driver: DatabaseDriver = "pg",
  options: { pgliteThread?: "worker" | "main" } = {},
): Promise<TestDb> {
  if (driver === "pglite") {
    const { db, close } = await createDb({
      driver,
      loadDataDir: await migratedPgliteSnapshot(),
      pgliteThread: options.pgliteThread ?? "worker",
    });
    // Cheap no-op on an up-to-date snapshot; keeps the helper honest if the snapshot lags.
    await migrateToLatest(db);
    return { db, driver, close, dispose: close };
  }
  if (driver === "neon") await sharedNeonBridge();
  const scratch = await createScratchDatabase();
  const handle = await createDb({ driver, url: scratch.url, maxConnections: 20 });
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    await scratch.drop();
    throw error;
  }
  return {
    ...handle,
    url: scratch.url,
    async dispose() {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** Stops the shared Neon bridge (call from afterAll in suites that used the "neon" driver). */
export async function closeSharedNeonBridge(): Promise<void> {
  const current = neonBridge;
  neonBridge = undefined;
  if (current) await (await current).close();
}
