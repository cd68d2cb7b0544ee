import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type PgliteWorker,
  PgliteWorkerError,
  PgliteWorkerGoneError,
  startPgliteWorker,
} from "../../../../lib/db/pglite/startPgliteWorker.js";

/**
 * The worker on its own, without kysely's connection lock in front of it: whatever serialises
 * transactions here is PGlite's transaction lock inside the worker thread.
 */
describe("startPgliteWorker", () => {
  let pglite: PgliteWorker;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    pglite = startPgliteWorker();
    await pglite.waitReady;
    await pglite.query("create table counter (id int primary key, value int not null)");
    await pglite.query("insert into counter values (1, 0)");
    await pglite.query("create table item (id int primary key, note text)");
  });
  afterAll(async () => {
    await pglite?.close();
  });

  test("behavior: 30 concurrent read-modify-write transactions serialise → exactly 30", async () => {
    const increment = () =>
      pglite.transaction(async (tx) => {
        const { rows } = await tx.query<{ value: number }>(
          "select value from counter where id = 1 for update",
          [],
          { rowMode: "object" },
        );
        // Yield between the read and the write: without serialisation the increments would be lost.
        await sleep(Math.random() * 3);
        await tx.query("update counter set value = $1 where id = 1", [rows[0]!.value + 1]);
      });
    await Promise.all(Array.from({ length: 30 }, increment));
    const { rows } = await pglite.query<{ value: number }>(
      "select value from counter where id = 1",
      [],
      { rowMode: "object" },
    );
    expect(rows).toEqual([{ value: 30 }]);
  });

  test("behavior: a query outside an open transaction waits for it and never sees its uncommitted row", async () => {
    const order: string[] = [];
    const transaction = pglite
      .transaction(async (tx) => {
        await tx.query("insert into item values (100, 'uncommitted')");
        order.push("inserted");
        await sleep(100);
        order.push("rolling back");
        throw new Error("roll back");
      })
      .catch((error: Error) => error.message);
    await sleep(20);
    const outside = pglite
      .query<{ n: number }>("select count(*)::int as n from item where id = 100", [], {
        rowMode: "object",
      })
      .then((result) => {
        order.push("outside answered");
        return result.rows[0]!.n;
      });
    expect(await transaction).toBe("roll back");
    expect(await outside).toBe(0);
    expect(order).toEqual(["inserted", "rolling back", "outside answered"]);
  });

  test("error: a Postgres error keeps its SQLSTATE and fields across the thread", async () => {
    await pglite.query("insert into item values (1, 'first')");
    const error = await pglite.query("insert into item values (1, 'again')").catch((e) => e);
    expect(error).toBeInstanceOf(PgliteWorkerError);
    expect(error).toMatchObject({ code: "23505", constraint: "item_pkey", table: "item" });
  });

  test("error: a transaction whose statement failed cannot commit, and writes nothing", async () => {
    const outcome = await pglite
      .transaction(async (tx) => {
        await tx.query("insert into item values (200, 'kept?')");
        // The caller swallows the failure; Postgres has aborted the transaction all the same.
        await tx.query("insert into item values (1, 'duplicate')").catch(() => {});
      })
      .then(
        () => "committed",
        (error) => (error as PgliteWorkerError).code,
      );
    expect(outcome).toBe("25P02");
    const { rows } = await pglite.query("select id from item where id = 200");
    expect(rows).toEqual([]);
  });

  test("behavior: int8, numeric, timestamptz, jsonb and bytea round-trip with PGlite's types", async () => {
    const { rows } = await pglite.query<Record<string, unknown>>(
      `select 9007199254740993::int8 as big, '115792089237316195423570985008687907853269984665640564039457584007913129639935'::numeric as uint,
              '2026-11-30T10:00:00Z'::timestamptz as at, '{"a":[1,"two"]}'::jsonb as doc, '\\x0102ff'::bytea as bytes,
              $1::text as param`,
      ["ünï 🚀"],
      { rowMode: "object" },
    );
    expect(rows[0]).toEqual({
      big: 9007199254740993n,
      uint: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
      at: new Date("2026-11-30T10:00:00Z"),
      doc: { a: [1, "two"] },
      bytes: new Uint8Array([1, 2, 255]),
      param: "ünï 🚀",
    });
  });

  test("behavior: the calling thread's event loop keeps turning while a long query runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    await pglite.query("select sum(x) from generate_series(1, 3000000) as x");
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // On the main thread the WASM engine would block every tick until the query ended.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(2);
  });

  test("behavior: threadCpuMs counts the worker thread's CPU, not the caller's", async () => {
    const before = await pglite.threadCpuMs();
    if (before === null) return; // no per-thread figures on this system (Linux gives them)
    // Work on the calling thread only: the worker's figure does not move (by more than its own answer).
    const spinUntil = Date.now() + 100;
    while (Date.now() < spinUntil) {}
    const idle = (await pglite.threadCpuMs())! - before;
    await pglite.query("select sum(x) from generate_series(1, 3000000) as x");
    const busy = (await pglite.threadCpuMs())! - before - idle;
    expect(idle).toBeLessThan(20);
    expect(busy).toBeGreaterThan(30);
  });

  test("behavior: statements issued while answering a request run before queued background ones", async () => {
    let answering = false;
    const lined = startPgliteWorker({ answeringRequest: () => answering });
    try {
      await lined.waitReady;
      await lined.query("create table seen (n serial primary key, who text not null)");
      // A background transaction holds the lock while both lines fill up behind it.
      let commit!: () => void;
      const held = new Promise<void>((resolve) => {
        commit = resolve;
      });
      const holder = lined.transaction(async (tx) => {
        await tx.query("insert into seen (who) values ('holder')");
        await held;
      });
      await sleep(20);
      const background = [1, 2, 3].map((i) =>
        lined.query("insert into seen (who) values ($1)", [`background ${i}`]),
      );
      answering = true;
      const first = [1, 2].map((i) =>
        lined.query("insert into seen (who) values ($1)", [`request ${i}`]),
      );
      const firstTransaction = lined.transaction(async (tx) => {
        await tx.query("insert into seen (who) values ('request transaction')");
      });
      answering = false;
      commit();
      await Promise.all([holder, ...background, ...first, firstTransaction]);
      const { rows } = await lined.query<{ who: string }>("select who from seen order by n", [], {
        rowMode: "object",
      });
      expect(rows.map((row) => row.who)).toEqual([
        "holder",
        "request 1",
        "request 2",
        "request transaction",
        "background 1",
        "background 2",
        "background 3",
      ]);
    } finally {
      await lined.close();
    }
  });

  test("behavior: begin, queryIn and end (the kysely driver's path, BEGIN sent with the first statement) serialise 30 read-modify-write transactions", async () => {
    await pglite.query("update counter set value = 0 where id = 1");
    const increment = async () => {
      const tx = await pglite.begin();
      try {
        const { rows } = await pglite.queryIn<{ value: number }>(
          tx,
          "select value from counter where id = 1 for update",
          [],
        );
        await sleep(Math.random() * 3);
        await pglite.queryIn(tx, "update counter set value = $1 where id = 1", [
          rows[0]!.value + 1,
        ]);
        await pglite.end(tx, true);
      } catch (error) {
        await pglite.end(tx, false);
        throw error;
      }
    };
    await Promise.all(Array.from({ length: 30 }, increment));
    const { rows } = await pglite.query("select value from counter where id = 1", [], {
      rowMode: "object",
    });
    expect(rows).toEqual([{ value: 30 }]);
  });

  test("behavior: a begun transaction that has run nothing holds no lock; rolled back, its statements left nothing", async () => {
    const idle = await pglite.begin();
    // Answered at once: the idle transaction never reached the worker.
    const { rows } = await pglite.query("select 1 as one", [], { rowMode: "object" });
    expect(rows).toEqual([{ one: 1 }]);
    await pglite.end(idle, true);

    const tx = await pglite.begin();
    await pglite.queryIn(tx, "insert into item values (300, 'rolled back')", []);
    await pglite.end(tx, false);
    const after = await pglite.query("select id from item where id = 300");
    expect(after.rows).toEqual([]);
  });

  test("error: after close every call rejects as fatal", async () => {
    const other = startPgliteWorker();
    await other.waitReady;
    await other.close();
    const error = await other.query("select 1").catch((e) => e);
    expect(error).toBeInstanceOf(PgliteWorkerGoneError);
    expect(error.kind).toBe("fatal");
    const begun = await other.begin().catch((e) => e);
    expect(begun).toBeInstanceOf(PgliteWorkerGoneError);
  });
});
