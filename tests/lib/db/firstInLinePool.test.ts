import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { firstInLinePool } from "../../../lib/db/firstInLinePool.js";
import { localDatabaseUrl } from "../../helpers/db.js";

/** The pool in front of a real node-postgres pool on the machine's PostgreSQL. */
describe("firstInLinePool", () => {
  const pools: pg.Pool[] = [];
  const openPool = (size: number) => {
    const pool = new pg.Pool({ connectionString: localDatabaseUrl("postgres"), max: size });
    pools.push(pool);
    return pool;
  };
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  test("behavior: a free connection goes to a request's statement before queued background work", async () => {
    let answering = false;
    const pool = firstInLinePool(openPool(1), 1, () => answering);
    const holder = await pool.connect();
    const order: string[] = [];
    const take = (who: string) =>
      pool.connect().then(async (client) => {
        order.push(who);
        const { rows } = await client.query("select 1 as one", []);
        client.release();
        return rows;
      });
    const background = [take("background 1"), take("background 2")];
    answering = true;
    const request = take("request");
    answering = false;
    holder.release();
    await Promise.all([...background, request]);
    expect(order).toEqual(["request", "background 1", "background 2"]);
  });

  test("behavior: never checks out more than its size; a released slot is reused", async () => {
    const pool = firstInLinePool(openPool(2), 2, () => false);
    let inUse = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const client = await pool.connect();
        inUse++;
        most = Math.max(most, inUse);
        await client.query("select pg_sleep(0.01)", []);
        inUse--;
        client.release();
      }),
    );
    expect(most).toBe(2);
  });

  test("error: a connection that cannot be opened gives its slot back", async () => {
    const unreachable = new pg.Pool({
      connectionString: "postgres://postgres@127.0.0.1:1/none",
      max: 1,
      connectionTimeoutMillis: 2000,
    });
    pools.push(unreachable);
    const pool = firstInLinePool(unreachable, 1, () => false);
    await expect(pool.connect()).rejects.toThrow();
    // Had the slot leaked, this second attempt would wait forever instead of failing too.
    await expect(pool.connect()).rejects.toThrow();
  });
});
