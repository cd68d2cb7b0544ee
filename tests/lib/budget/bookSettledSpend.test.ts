import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { counterKey } from "../../../lib/budget/counters.js";
import {
  BudgetExceededError,
  bookSettledSpend,
  getBudgetStatus,
  releaseBudget,
  reserveBudget,
} from "../../../lib/budget/index.js";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let testDb: TestDb;
const caches: Record<string, Cache> = {};

beforeAll(async () => {
  testDb = await createTestDb("pg");
  caches.postgres = createMemoryCache();
  caches.redis = await createRedisCache({ url: REDIS_URL });
});
afterAll(async () => {
  await caches.redis?.close();
  await testDb?.dispose();
});

async function createSession(budget: string): Promise<string> {
  const id = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id, budget_amount: budget, budget_token: "USDC" })
    .execute();
  return id;
}

for (const backend of ["postgres", "redis"] as const) {
  describe(`bookSettledSpend (${backend})`, () => {
    const spent = async (sessionId: string) => {
      const status = await getBudgetStatus(testDb.db, sessionId);
      return { spent: status.budget!.spent, reserved: status.budget!.reserved };
    };

    test("behavior: a reservation becomes spend at the real amount; booking twice changes nothing", async () => {
      const cache = caches[backend]!;
      const sessionId = await createSession("1000");
      const key = { runId: `run_${randomUUID().slice(0, 8)}`, stepIndex: 0 };
      await reserveBudget({
        db: testDb.db,
        cache,
        sessionId,
        ...key,
        token: "USDC",
        amount: "600",
      });
      const book = () =>
        bookSettledSpend({
          db: testDb.db,
          cache,
          ledgerRowId: `${key.runId}:0`,
          sessionId,
          runId: key.runId,
          token: "USDC",
          amount: "400",
        });
      expect((await book()).change).toBe("settled");
      expect((await book()).change).toBe("unchanged");
      expect(await spent(sessionId)).toEqual({ spent: "400", reserved: "0" });
      // The counters agree: 600 more fits (400 + 600 = 1000), one more unit does not.
      await reserveBudget({
        db: testDb.db,
        cache,
        sessionId,
        runId: key.runId,
        stepIndex: 1,
        token: "USDC",
        amount: "600",
      });
      await expect(
        reserveBudget({
          db: testDb.db,
          cache,
          sessionId,
          runId: key.runId,
          stepIndex: 2,
          token: "USDC",
          amount: "1",
        }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
    });

    test("behavior: a released reservation whose money left after all is booked again, above the limit if it must", async () => {
      const cache = caches[backend]!;
      const sessionId = await createSession("1000");
      const runId = `run_${randomUUID().slice(0, 8)}`;
      await reserveBudget({
        db: testDb.db,
        cache,
        sessionId,
        runId,
        stepIndex: 0,
        token: "USDC",
        amount: "900",
      });
      await releaseBudget({ db: testDb.db, cache, runId, stepIndex: 0 });
      // Meanwhile another step spent the freed budget.
      await reserveBudget({
        db: testDb.db,
        cache,
        sessionId,
        runId,
        stepIndex: 1,
        token: "USDC",
        amount: "900",
      });
      const booked = await bookSettledSpend({
        db: testDb.db,
        cache,
        ledgerRowId: `${runId}:0`,
        sessionId,
        runId,
        token: "USDC",
        amount: "900",
      });
      expect(booked.change).toBe("rebooked");
      expect(await spent(sessionId)).toEqual({ spent: "900", reserved: "900" });
      // Over the limit now (1800 > 1000): nothing more can be reserved.
      await expect(
        reserveBudget({
          db: testDb.db,
          cache,
          sessionId,
          runId,
          stepIndex: 2,
          token: "USDC",
          amount: "1",
        }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      if (backend === "redis") {
        expect(await cache.get(counterKey(sessionId, "session", "usdc"))).toBe("1800");
      }
    });

    test("behavior: spend without any reservation gets its own settled row", async () => {
      const cache = caches[backend]!;
      const sessionId = await createSession("1000");
      const booked = await bookSettledSpend({
        db: testDb.db,
        cache,
        ledgerRowId: `x402:pay_${randomUUID().slice(0, 8)}`,
        sessionId,
        runId: "run_lost",
        token: "USDC",
        amount: "250",
      });
      expect(booked.change).toBe("inserted");
      expect(booked.reservation).toMatchObject({ status: "settled", amount: "250" });
      expect(await spent(sessionId)).toEqual({ spent: "250", reserved: "0" });
    });
  });
}
