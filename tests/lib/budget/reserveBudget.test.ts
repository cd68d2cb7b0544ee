import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { counterKey } from "../../../lib/budget/counters.js";
import {
  BudgetExceededError,
  BudgetPricingError,
  getBudgetStatus,
  getDailyAllowance,
  releaseBudget,
  reserveBudget,
  settleBudget,
} from "../../../lib/budget/index.js";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import { createUpstashCache } from "../../../lib/cache/upstash.js";
import { startUpstashBridge, type UpstashBridge } from "../../bridges/upstashBridge.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const USDC = "0xC01EFAAF7C5C61BEBFAEB358E1161B537B8BC0E0";

let testDb: TestDb;
let bridge: UpstashBridge | undefined;
const caches: Record<string, Cache> = {};
const redisKeys: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb("pg");
  caches.postgres = createMemoryCache();
  caches.redis = await createRedisCache({ url: REDIS_URL });
  // The Upstash REST client through the local bridge to the same Redis: same Lua, other transport.
  bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
  caches.upstash = createUpstashCache({ url: bridge.url, token: bridge.token });
});

afterAll(async () => {
  if (redisKeys.length > 0) await caches.redis?.delete(...redisKeys);
  await caches.redis?.close();
  await caches.upstash?.close();
  await bridge?.close();
  await testDb?.dispose();
});

interface SessionLimits {
  budget?: [string, string];
  daily?: [string, string];
  status?: "active" | "closed";
}

async function createSession(limits: SessionLimits): Promise<string> {
  const id = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({
      id,
      api_key_id: null,
      budget_amount: limits.budget?.[0] ?? null,
      budget_token: limits.budget?.[1] ?? null,
      daily_limit_amount: limits.daily?.[0] ?? null,
      daily_limit_token: limits.daily?.[1] ?? null,
      approval_threshold_usd: null,
      ...(limits.status ? { status: limits.status } : {}),
    })
    .execute();
  const day = new Date().toISOString().slice(0, 10);
  for (const unit of [USDC.toLowerCase(), "USD"]) {
    redisKeys.push(counterKey(id, "session", unit), counterKey(id, "daily", unit, day));
  }
  return id;
}

async function ledgerTotal(sessionId: string): Promise<bigint> {
  const rows = await testDb.db
    .selectFrom("spend_ledger")
    .select(["amount", "status"])
    .where("session_id", "=", sessionId)
    .execute();
  return rows.filter((r) => r.status !== "released").reduce((sum, r) => sum + BigInt(r.amount), 0n);
}

describe.each(["postgres", "redis", "upstash"] as const)(
  "reserveBudget (%s backend)",
  (backend) => {
    const cache = () => caches[backend]!;

    test("behavior: 100 concurrent reservations never overshoot the session budget", async () => {
      const sessionId = await createSession({ budget: ["1000000", USDC] });
      const runId = `run_${randomUUID()}`;
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          reserveBudget({
            db: testDb.db,
            cache: cache(),
            sessionId,
            runId,
            stepIndex: i,
            token: USDC,
            amount: 30_000n,
          }),
        ),
      );
      const fulfilled = results.filter((r) => r.status === "fulfilled");
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(fulfilled).toHaveLength(33);
      expect(
        fulfilled.every((r) => r.value.backend === (backend === "postgres" ? "postgres" : "cache")),
      ).toBe(true);
      expect(rejected).toHaveLength(67);
      for (const r of rejected) {
        expect(r.reason).toBeInstanceOf(BudgetExceededError);
        expect((r.reason as BudgetExceededError).limit).toBe(1_000_000n);
        expect((r.reason as BudgetExceededError).requested).toBe(30_000n);
      }
      expect(await ledgerTotal(sessionId)).toBe(990_000n);

      // Settling every reservation (the payment step's second half) keeps spent ≤ budget.
      await Promise.all(
        fulfilled.map((r) =>
          settleBudget({
            db: testDb.db,
            cache: cache(),
            runId,
            stepIndex: Number(r.value.reservation.id.split(":")[1]),
          }),
        ),
      );
      const status = await getBudgetStatus(testDb.db, sessionId);
      expect(status.budget).toEqual({
        token: USDC.toLowerCase(),
        budget: "1000000",
        spent: "990000",
        reserved: "0",
        remaining: "10000",
      });
    });

    test("behavior: the same (runId, stepIndex) reserves once, even concurrently", async () => {
      const sessionId = await createSession({ budget: ["100000", USDC] });
      const runId = `run_${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          reserveBudget({
            db: testDb.db,
            cache: cache(),
            sessionId,
            runId,
            stepIndex: 0,
            token: USDC,
            amount: 60_000n,
          }),
        ),
      );
      expect(new Set(results.map((r) => r.reservation.id))).toEqual(new Set([`${runId}:0`]));
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(await ledgerTotal(sessionId)).toBe(60_000n);
      // The counter holds the step once: a second step of 40 000 still fits exactly.
      await reserveBudget({
        db: testDb.db,
        cache: cache(),
        sessionId,
        runId,
        stepIndex: 1,
        token: USDC,
        amount: 40_000n,
      });
      await expect(
        reserveBudget({
          db: testDb.db,
          cache: cache(),
          sessionId,
          runId,
          stepIndex: 2,
          token: USDC,
          amount: 1n,
        }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
    });

    test("behavior: release gives the amount back once; settle with a lower actual returns the difference", async () => {
      const sessionId = await createSession({ budget: ["100", USDC] });
      const runId = `run_${randomUUID()}`;
      const base = { db: testDb.db, cache: cache(), sessionId, runId, token: USDC };
      await reserveBudget({ ...base, stepIndex: 0, amount: 70n });
      await expect(reserveBudget({ ...base, stepIndex: 1, amount: 40n })).rejects.toBeInstanceOf(
        BudgetExceededError,
      );
      expect(
        (await releaseBudget({ db: testDb.db, cache: cache(), runId, stepIndex: 0 }))?.status,
      ).toBe("released");
      expect(
        (await releaseBudget({ db: testDb.db, cache: cache(), runId, stepIndex: 0 }))?.status,
      ).toBe("released");
      await reserveBudget({ ...base, stepIndex: 1, amount: 90n });
      const settled = await settleBudget({
        db: testDb.db,
        cache: cache(),
        runId,
        stepIndex: 1,
        actualAmount: 60n,
      });
      expect(settled).toMatchObject({ status: "settled", amount: "60" });
      await reserveBudget({ ...base, stepIndex: 2, amount: 40n });
      await expect(reserveBudget({ ...base, stepIndex: 3, amount: 1n })).rejects.toBeInstanceOf(
        BudgetExceededError,
      );
      expect((await getBudgetStatus(testDb.db, sessionId)).budget).toMatchObject({
        spent: "60",
        reserved: "40",
        remaining: "0",
      });
    });

    test("error: the refusal names the limit, spent, reserved and requested", async () => {
      const sessionId = await createSession({ budget: ["500", USDC] });
      const runId = `run_fixed-${backend}`;
      const base = { db: testDb.db, cache: cache(), sessionId, runId, token: USDC };
      await reserveBudget({ ...base, stepIndex: 0, amount: 200n });
      await settleBudget({ db: testDb.db, cache: cache(), runId, stepIndex: 0 });
      await reserveBudget({ ...base, stepIndex: 1, amount: 250n });
      const error = await reserveBudget({ ...base, stepIndex: 2, amount: 100n }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BudgetExceededError);
      expect(
        (error as BudgetExceededError).message.replace(sessionId, "<session>"),
      ).toMatchInlineSnapshot(`
      "Session budget exceeded for session <session>: requested 100 but only 50 of 500 base units of 0xc01efaaf7c5c61bebfaeb358e1161b537b8bc0e0 remain (spent 200, reserved 250)
      limit: 500
      spent: 200
      reserved: 250
      requested: 100
      remaining: 50"
    `);
    });

    test("behavior: the daily limit counts only today's UTC spending", async () => {
      const sessionId = await createSession({ daily: ["1000", USDC] });
      const runId = `run_${randomUUID()}`;
      const base = { db: testDb.db, cache: cache(), sessionId, runId, token: USDC };
      const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);
      await reserveBudget({ ...base, stepIndex: 0, amount: 900n, now: yesterday });
      await reserveBudget({ ...base, stepIndex: 1, amount: 800n });
      const error = await reserveBudget({ ...base, stepIndex: 2, amount: 300n }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        name: "BudgetExceededError",
        scope: "daily",
        limit: 1000n,
        reserved: 800n,
      });
      // Another token is not limited by a USDC daily limit.
      await reserveBudget({
        ...base,
        stepIndex: 3,
        token: "0x0000000000000000000000000000000000000001",
        amount: 5000n,
      });
      expect(await getDailyAllowance(testDb.db, sessionId)).toMatchObject({
        token: USDC,
        limit: "1000",
        spent: "0",
        reserved: "800",
        remaining: "200",
      });
    });

    test("behavior: a USD budget adds up the USD value of every token and needs usdAmount", async () => {
      const sessionId = await createSession({ budget: ["1000000", "USD"] });
      const runId = `run_${randomUUID()}`;
      const base = { db: testDb.db, cache: cache(), sessionId, runId };
      await reserveBudget({
        ...base,
        stepIndex: 0,
        token: USDC,
        amount: 600_000n,
        usdAmount: "0.60",
      });
      await reserveBudget({
        ...base,
        stepIndex: 1,
        token: "CRO",
        amount: 10n ** 18n,
        usdAmount: "0.3",
      });
      await expect(
        reserveBudget({ ...base, stepIndex: 2, token: USDC, amount: 200_000n, usdAmount: "0.2" }),
      ).rejects.toMatchObject({
        name: "BudgetExceededError",
        unit: "USD",
        spent: 0n,
        reserved: 900_000n,
      });
      await expect(
        reserveBudget({ ...base, stepIndex: 3, token: USDC, amount: 1n }),
      ).rejects.toBeInstanceOf(BudgetPricingError);
      expect((await getBudgetStatus(testDb.db, sessionId)).budget).toEqual({
        token: "USD",
        budget: "1000000",
        spent: "0",
        reserved: "900000",
        remaining: "100000",
      });
    });
  },
);

test("behavior: (redis) a lost counter is rebuilt from the ledger, so limits still hold", async () => {
  const cache = caches.redis!;
  const sessionId = await createSession({ budget: ["1000", USDC] });
  const runId = `run_${randomUUID()}`;
  const base = { db: testDb.db, cache, sessionId, runId, token: USDC };
  await reserveBudget({ ...base, stepIndex: 0, amount: 600n });
  await cache.delete(counterKey(sessionId, "session", USDC.toLowerCase()));
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      reserveBudget({ ...base, stepIndex: i + 1, amount: 100n }),
    ),
  );
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
  expect(await ledgerTotal(sessionId)).toBe(1000n);
});
