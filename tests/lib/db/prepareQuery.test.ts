import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from "kysely";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { Database } from "../../../lib/db/database.js";
import { isPreparedStatementText, prepareQuery } from "../../../lib/db/prepareQuery.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * Prepared statements run against real databases: the same rows as the statement built per call,
 * one SQL text per shape of the values, and the misuses that would freeze a value into the SQL
 * refused at the first build.
 */
describe.each(["pg", "pglite"] as const)("prepareQuery on %s", (driver) => {
  let testDb: TestDb;
  let db: Kysely<Database>;
  beforeAll(async () => {
    testDb = await createTestDb(driver);
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  test("behavior: runs with each call's values, as the statement built per call would", async () => {
    let builds = 0;
    const insert = prepareQuery(
      "insertKey",
      (
        db,
        p: { key: { id: string; name: string; key_hash: string; role: "agent"; policy_id?: null } },
      ) => {
        builds++;
        return db
          .insertInto("api_keys")
          .values(p.key)
          .returning(["id", "key_hash", "role", "policy_id"]);
      },
    );
    const select = prepareQuery("selectKey", (db, p: { hash: string; since: Date }) =>
      db
        .selectFrom("api_keys")
        .select(["id", "role", "name"])
        .where("key_hash", "=", p.hash)
        .where("created_at", ">=", p.since),
    );
    const since = new Date(Date.now() - 60_000);
    for (const i of [1, 2, 3]) {
      const rows = await insert(db, {
        key: {
          id: `prep-${driver}-${i}`,
          name: `key ${i}`,
          key_hash: `hash-${driver}-${i}`,
          role: "agent",
          // Present on one call only: a second shape, a second SQL text.
          policy_id: i === 2 ? null : undefined,
        },
      });
      expect(rows).toEqual([
        {
          id: `prep-${driver}-${i}`,
          key_hash: `hash-${driver}-${i}`,
          role: "agent",
          policy_id: null,
        },
      ]);
    }
    // Two shapes, each built twice (the second build checks the first), then only run.
    expect(builds).toBe(4);
    for (const i of [3, 1, 2]) {
      const prepared = await select(db, { hash: `hash-${driver}-${i}`, since });
      const built = await db
        .selectFrom("api_keys")
        .select(["id", "role", "name"])
        .where("key_hash", "=", `hash-${driver}-${i}`)
        .where("created_at", ">=", since)
        .execute();
      expect(prepared).toEqual(built);
      expect(prepared).toHaveLength(1);
    }
    expect(
      await select(db, { hash: `hash-${driver}-1`, since: new Date(Date.now() + 60_000) }),
    ).toEqual([]);
  });

  test("behavior: runs inside a transaction, and its values stay parameters (no injection)", async () => {
    const select = prepareQuery("selectRole", (db, p: { hash: string }) =>
      db.selectFrom("api_keys").select("role").where("key_hash", "=", p.hash),
    );
    const hostile = "x' or '1'='1";
    await db.transaction().execute(async (trx) => {
      expect(await select(trx, { hash: hostile })).toEqual([]);
      expect(await select(trx, { hash: `hash-${driver}-1` })).toEqual([{ role: "agent" }]);
    });
  });

  test("failure: a constraint violation keeps its code and constraint, rolls its transaction back, and the statement runs again", async () => {
    const insert = prepareQuery("insertKeyOnce", (db, p: { id: string; hash: string }) =>
      db
        .insertInto("api_keys")
        .values({ id: p.id, name: "once", key_hash: p.hash, role: "agent" })
        .returning("id"),
    );
    const count = prepareQuery("countKeys", (db, p: { id: string }) =>
      db
        .selectFrom("api_keys")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("id", "=", p.id),
    );
    const id = `once-${driver}`;
    expect(await insert(db, { id, hash: `once-hash-${driver}` })).toEqual([{ id }]);
    const duplicate = await insert(db, { id, hash: `other-hash-${driver}` }).catch(
      (e: unknown) => e,
    );
    expect(duplicate).toMatchObject({ code: "23505", constraint: "api_keys_pkey" });
    const inTransaction = await db
      .transaction()
      .execute(async (trx) => {
        await insert(trx, { id: `${id}-tx`, hash: `tx-hash-${driver}` });
        await insert(trx, { id, hash: `third-hash-${driver}` });
      })
      .catch((e: unknown) => e);
    expect(inTransaction).toMatchObject({ code: "23505" });
    // The transaction's first insert was rolled back with it (counted as the built statement
    // counts: a string on node-postgres, a number on PGlite, the same on both paths).
    const built = await db
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("id", "=", `${id}-tx`)
      .execute();
    expect(await count(db, { id: `${id}-tx` })).toEqual(built);
    expect(Number(built[0]!.n)).toBe(0);
    expect(await insert(db, { id: `${id}-after`, hash: `after-hash-${driver}` })).toEqual([
      { id: `${id}-after` },
    ]);
  });

  test("failure: a value computed with, stringified, frozen or written into the SQL is refused at the first build", async () => {
    const computed = prepareQuery("computed", (db, p: { id: string }) =>
      db.selectFrom("api_keys").select("id").where("id", "=", `key:${p.id}`),
    );
    await expect(computed(db, { id: "a" })).rejects.toThrow(
      "prepareQuery(computed): a value was computed with or stringified",
    );
    const stringified = prepareQuery("stringified", (db, p: { data: unknown }) =>
      db.selectNoFrom(sql<string>`${JSON.stringify(p.data)}::jsonb`.as("data")),
    );
    await expect(stringified(db, { data: "a" })).rejects.toThrow("prepareQuery(stringified)");
    const frozenClock = prepareQuery("frozenClock", (db, p: { id: string }) =>
      db
        .selectFrom("api_keys")
        .select("id")
        .where("id", "=", p.id)
        .where("created_at", "<", new Date()),
    );
    await expect(frozenClock(db, { id: "a" })).rejects.toThrow(
      "prepareQuery(frozenClock): an object or date was built inside the statement",
    );
    let counter = 0;
    const varying = prepareQuery("varying", (db, p: { id: string }) =>
      db
        .selectFrom("api_keys")
        .select("id")
        .where("id", "=", p.id)
        .where("name", "=", `call ${counter++}`),
    );
    await expect(varying(db, { id: "a" })).rejects.toThrow(
      "prepareQuery(varying): two builds of the same shape differ",
    );
    const literal = prepareQuery("literal", (db, p: { id: string }) =>
      db.selectFrom("api_keys").select("id").where("id", "=", sql.lit(p.id)),
    );
    await expect(literal(db, { id: "a" })).rejects.toThrow(
      "prepareQuery(literal): a value was written into the SQL text",
    );
  });
});

test("behavior: a statement prepared by another copy of the module counts as prepared for the database's driver", async () => {
  // The workflow step bundle carries its own copy of lib/, while the database (and so the PGlite
  // worker's check) belongs to the host's copy: the registry of prepared texts must be shared.
  vi.resetModules();
  const copy = await import("../../../lib/db/prepareQuery.js");
  expect(copy.prepareQuery).not.toBe(prepareQuery);
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const build = (db: Kysely<Database>, p: { name: string }) =>
    db.selectFrom("api_keys").select("id").where("name", "=", p.name);
  const text = build(db, { name: "x" }).compile().sql;
  expect(isPreparedStatementText(text)).toBe(false);
  await copy.prepareQuery("namedInACopy", build)(db, { name: "step bundle" });
  expect(isPreparedStatementText(text)).toBe(true);
  expect(copy.isPreparedStatementText(text)).toBe(true);
});
