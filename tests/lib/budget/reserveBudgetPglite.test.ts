import { afterAll, beforeAll, expect, test } from "vitest";
import {
  BudgetExceededError,
  getBudgetStatus,
  reserveBudget,
  settleBudget,
} from "../../../lib/budget/index.js";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

// The embedded default (PGlite + memory cache) uses the row-lock backend on one connection:
// concurrent reservations must queue, not fail or deadlock.
let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pglite");
  await testDb.db
    .insertInto("agent_sessions")
    .values({
      id: "ses_pglite",
      api_key_id: null,
      budget_amount: "1000",
      budget_token: "USDC",
      daily_limit_amount: "700",
      daily_limit_token: "usdc",
      approval_threshold_usd: null,
    })
    .execute();
});

afterAll(async () => {
  await testDb?.dispose();
});

test("behavior: 40 concurrent reservations on PGlite respect the daily limit exactly", async () => {
  const cache = createMemoryCache();
  const results = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) =>
      reserveBudget({
        db: testDb.db,
        cache,
        sessionId: "ses_pglite",
        runId: "run_p",
        stepIndex: i,
        token: "USDC",
        amount: 50n,
      }),
    ),
  );
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(14);
  const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(
    refusals.every((r) => r.reason instanceof BudgetExceededError && r.reason.scope === "daily"),
  ).toBe(true);
  await settleBudget({ db: testDb.db, cache, runId: "run_p", stepIndex: 0, actualAmount: 20n });
  const status = await getBudgetStatus(testDb.db, "ses_pglite");
  expect(status.budget).toEqual({
    token: "usdc",
    budget: "1000",
    spent: "20",
    reserved: "650",
    remaining: "330",
  });
  expect(status.daily).toMatchObject({
    limit: "700",
    spent: "20",
    reserved: "650",
    remaining: "30",
  });
});
