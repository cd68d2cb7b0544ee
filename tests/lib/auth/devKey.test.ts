import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { hashApiKey } from "../../../lib/auth/authenticate.js";
import { ensureDevAdminKey } from "../../../lib/auth/devKey.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;
let dir: string;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  dir = await mkdtemp(path.join(tmpdir(), "paygent-devkey-"));
});
afterAll(async () => {
  await testDb?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("ensureDevAdminKey", () => {
  test("behavior: creates an admin key once, in an owner-only file, and reuses it", async () => {
    const file = path.join(dir, "nested", "dev-api-key");
    const first = await ensureDevAdminKey(testDb.db, file);
    expect(first.created).toBe(true);
    expect((await readFile(file, "utf8")).trim()).toBe(first.key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const row = await testDb.db
      .selectFrom("api_keys")
      .selectAll()
      .where("key_hash", "=", hashApiKey(first.key))
      .executeTakeFirstOrThrow();
    expect(row.role).toBe("admin");

    const second = await ensureDevAdminKey(testDb.db, file);
    expect(second).toEqual({ key: first.key, id: first.id, created: false });
  });

  test("behavior: a revoked or unknown stored key is replaced", async () => {
    const file = path.join(dir, "dev-api-key-2");
    const first = await ensureDevAdminKey(testDb.db, file);
    await revokeApiKey(testDb.db, first.id);
    const second = await ensureDevAdminKey(testDb.db, file);
    expect(second.created).toBe(true);
    expect(second.key).not.toBe(first.key);

    await writeFile(file, "pgk_not_in_this_database_000000000000\n");
    const third = await ensureDevAdminKey(testDb.db, file);
    expect(third.created).toBe(true);
    expect((await readFile(file, "utf8")).trim()).toBe(third.key);
  });
});
