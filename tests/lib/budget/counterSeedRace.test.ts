import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { counterKey } from "../../../lib/budget/counters.js";
import { releaseBudget, reserveBudget, settleBudget } from "../../../lib/budget/index.js";
import type { Cache } from "../../../lib/cache/index.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { LOCAL_REDIS_URL } from "../../helpers/services.js";

/**
 * The Redis budget counters mirror the ledger and are seeded from it when missing (expired after
 * 7 days, evicted). A release or settle moves them by its delta after the row changed; a counter
 * seeded by a concurrent reservation after that change already counts it, and moving it again
 * counted the change twice: a release subtracted twice let a later reservation past the budget.
 * Which counters to move is now read before the row changes.
 */
let testDb: TestDb;
let redis: Cache;
const keys: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb("pg");
  redis = await createRedisCache({ url: LOCAL_REDIS_URL });
});
afterAll(async () => {
  if (keys.length) await redis?.delete(...keys);
  await redis?.close();
  await testDb?.dispose();
});

async function session(): Promise<{ sessionId: string; key: string }> {
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: null, budget_amount: "10000000", budget_token: "USDC" })
    .execute();
  const key = counterKey(sessionId, "session", "usdc");
  keys.push(key);
  return { sessionId, key };
}

/** `cache`, except that a reservation runs the first time `key` is read (a concurrent step). */
function racing(key: string, reservation: () => Promise<unknown>): Cache {
  let pending: (() => Promise<unknown>) | undefined = reservation;
  return {
    ...redis,
    kind: redis.kind,
    async get(k: string) {
      if (k === key && pending) {
        const run = pending;
        pending = undefined;
        await run();
      }
      return redis.get(k);
    },
  };
}

describe("budget counters seeded while a reservation changes (redis)", () => {
  for (const change of ["release", "settle for less"] as const) {
    test(`behavior: a ${change} racing a seed of the missing counter leaves it equal to the ledger; the budget holds`, async () => {
      const { sessionId, key } = await session();
      const reserve = (runId: string, amount: bigint, cache: Cache = redis) =>
        reserveBudget({
          db: testDb.db,
          cache,
          sessionId,
          runId,
          stepIndex: 0,
          token: "USDC",
          amount,
        });
      await reserve(`run_a_${sessionId}`, 5_000_000n);
      await redis.delete(key); // expired
      const cache = racing(key, () => reserve(`run_b_${sessionId}`, 1_000_000n));
      if (change === "release")
        await releaseBudget({ db: testDb.db, cache, runId: `run_a_${sessionId}`, stepIndex: 0 });
      else
        await settleBudget({
          db: testDb.db,
          cache,
          runId: `run_a_${sessionId}`,
          stepIndex: 0,
          actualAmount: 2_000_000n,
        });
      const rows = await testDb.db
        .selectFrom("spend_ledger")
        .select("amount")
        .where("session_id", "=", sessionId)
        .where("status", "in", ["reserved", "settled"])
        .execute();
      const ledger = rows.reduce((sum, row) => sum + BigInt(row.amount), 0n);
      expect(BigInt((await redis.get(key)) ?? "0")).toBe(ledger);
      // What is left of the 10 USDC budget is all a reservation may take.
      await expect(reserve(`run_c_${sessionId}`, 10_000_000n - ledger + 1n)).rejects.toThrow();
      await reserve(`run_d_${sessionId}`, 10_000_000n - ledger);
    });
  }
});
