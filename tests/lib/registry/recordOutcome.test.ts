import { afterAll, beforeAll, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import {
  computeReputation,
  createService,
  discoverServices,
  getService,
  recordOutcome,
  ServiceNotFoundError,
} from "../../../lib/registry/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;
let cache: Cache;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  cache = createMemoryCache();
});

afterAll(async () => {
  await testDb?.dispose();
});

const input = (name: string) => ({
  name,
  category: "reputation",
  endpoint: "http://127.0.0.1:9/x",
  price: {
    amount: "1",
    asset: "0x0000000000000000000000000000000000000001",
    network: "eip155:338",
  },
});

test("args: computeReputation is a Bayesian average with a 3.00 prior", () => {
  expect(computeReputation(0, 0)).toBe("3.00");
  expect(computeReputation(1, 1)).toBe("3.18");
  expect(computeReputation(0, 1)).toBe("2.73");
  expect(computeReputation(100, 100)).toBe("4.82");
  expect(computeReputation(0, 100)).toBe("0.27");
  expect(computeReputation(1, 6)).toBe("2.19"); // 500*7/16 = 218.75 → half-up
});

test("behavior: reputation moves with real outcomes, and counts survive concurrency", async () => {
  const good = await createService(testDb.db, input("Reliable"), { cache });
  const bad = await createService(testDb.db, input("Flaky"), { cache });
  await Promise.all([
    ...Array.from({ length: 30 }, (_, i) =>
      recordOutcome(testDb.db, good.id, { success: i % 10 !== 0 }, { cache }),
    ),
    ...Array.from({ length: 30 }, (_, i) =>
      recordOutcome(testDb.db, bad.id, { success: i % 3 === 0 }, { cache }),
    ),
  ]);
  const reliable = await getService(testDb.db, good.id);
  const flaky = await getService(testDb.db, bad.id);
  expect(reliable).toMatchObject({
    totalCalls: 30,
    successes: 27,
    failures: 3,
    reputation: computeReputation(27, 30),
  });
  expect(flaky).toMatchObject({
    totalCalls: 30,
    successes: 10,
    failures: 20,
    reputation: computeReputation(10, 30),
  });
  expect(Number(reliable.reputation)).toBeGreaterThan(3);
  expect(Number(flaky.reputation)).toBeLessThan(3);

  // Discovery orders by the new reputations and its cached answer was invalidated.
  const found = await discoverServices(testDb.db, { category: "reputation" }, { cache });
  expect(found.services.map((s) => s.name)).toEqual(["Reliable", "Flaky"]);
  await recordOutcome(testDb.db, good.id, { success: false }, { cache });
  const again = await discoverServices(testDb.db, { category: "reputation" }, { cache });
  expect(again.cached).toBe(false);
  expect(again.services[0]).toMatchObject({
    totalCalls: 31,
    failures: 4,
    reputation: computeReputation(27, 31),
  });
});

test("error: recording an outcome for an unknown service", async () => {
  await expect(
    recordOutcome(testDb.db, "svc_missing", { success: true }, { cache }),
  ).rejects.toBeInstanceOf(ServiceNotFoundError);
});
