import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import {
  createService,
  deleteService,
  discoverServices,
  findServiceByNameOrUrl,
  getService,
  ServiceConflictError,
  ServiceNotFoundError,
  seedDemoServices,
  updateService,
} from "../../../lib/registry/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const USDC = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";

let testDb: TestDb;
let memory: Cache;
let redis: Cache;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  memory = createMemoryCache();
  redis = await createRedisCache({ url: REDIS_URL });
});

afterAll(async () => {
  await redis?.close();
  await testDb?.dispose();
});

function serviceInput(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    description: `${name} for tests`,
    category: "testing",
    endpoint: `http://127.0.0.1:9/${encodeURIComponent(name)}`,
    price: { amount: "1000", asset: USDC, network: "eip155:338" },
    ...overrides,
  };
}

describe("repository", () => {
  test("behavior: create, get, update and delete a service", async () => {
    const created = await createService(testDb.db, serviceInput("Repo Svc"), { cache: memory });
    expect(created).toMatchObject({
      name: "Repo Svc",
      category: "testing",
      pricingModel: "pay-per-call",
      price: { amount: "1000", asset: USDC, network: "eip155:338" },
      mcpCompatible: false,
      reputation: "3.00",
      totalCalls: 0,
    });
    expect(await getService(testDb.db, created.id)).toEqual(created);
    const updated = await updateService(
      testDb.db,
      created.id,
      { price: { amount: "2500" }, mcpCompatible: true },
      { cache: memory },
    );
    expect(updated).toMatchObject({ price: { amount: "2500", asset: USDC }, mcpCompatible: true });
    await deleteService(testDb.db, created.id, { cache: memory });
    await expect(getService(testDb.db, created.id)).rejects.toBeInstanceOf(ServiceNotFoundError);
    await expect(deleteService(testDb.db, created.id, { cache: memory })).rejects.toBeInstanceOf(
      ServiceNotFoundError,
    );
  });

  test("error: duplicate names and invalid input are client errors", async () => {
    await createService(testDb.db, serviceInput("Dup Svc"), { cache: memory });
    await expect(
      createService(testDb.db, serviceInput("Dup Svc"), { cache: memory }),
    ).rejects.toBeInstanceOf(ServiceConflictError);
    await expect(
      createService(
        testDb.db,
        serviceInput("Bad Price", { price: { amount: "0.5", asset: USDC, network: "eip155:338" } }),
        {
          cache: memory,
        },
      ),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(
      createService(testDb.db, serviceInput("Bad Url", { endpoint: "ftp://x" }), { cache: memory }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    // A literal private or metadata address: every later use would refuse it, so does the registry.
    for (const endpoint of [
      "http://169.254.169.254/latest",
      "http://10.0.0.7/api",
      "http://[::ffff:a9fe:a9fe]/x",
    ])
      await expect(
        createService(testDb.db, serviceInput(`Internal ${endpoint}`, { endpoint }), {
          cache: memory,
        }),
        endpoint,
      ).rejects.toMatchObject({ code: "forbidden" });
    const kept = await createService(testDb.db, serviceInput("Moves Inside"), { cache: memory });
    await expect(
      updateService(testDb.db, kept.id, { endpoint: "http://169.254.169.254/" }, { cache: memory }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect((await getService(testDb.db, kept.id)).endpoint).toBe(kept.endpoint);
  });

  test("behavior: seedDemoServices is idempotent and keeps ids and statistics", async () => {
    const first = await seedDemoServices(
      testDb.db,
      { baseUrl: "http://localhost:3000/", network: "eip155:31337", usdcAddress: USDC },
      { cache: memory },
    );
    expect(
      first.map((s) => [s.name, s.endpoint, s.price.amount, s.category, s.mcpCompatible]),
    ).toEqual([
      [
        "Market Data API",
        "http://localhost:3000/api/demo/market-data",
        "100000",
        "market-data",
        false,
      ],
      [
        "Chain Stats API",
        "http://localhost:3000/api/demo/chain-stats",
        "50000",
        "chain-data",
        false,
      ],
    ]);
    await testDb.db
      .updateTable("services")
      .set({ total_calls: 7 })
      .where("id", "=", first[0]!.id)
      .execute();
    const second = await seedDemoServices(
      testDb.db,
      { baseUrl: "http://localhost:4000", network: "eip155:31337", usdcAddress: USDC },
      { cache: memory },
    );
    expect(second.map((s) => s.id)).toEqual(first.map((s) => s.id));
    expect(second[0]).toMatchObject({
      endpoint: "http://localhost:4000/api/demo/market-data",
      totalCalls: 7,
    });
    const count = await testDb.db
      .selectFrom("services")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("name", "in", ["Market Data API", "Chain Stats API"])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  test("behavior: findServiceByNameOrUrl resolves loose names and URLs, and refuses guesses", async () => {
    await seedDemoServices(
      testDb.db,
      { baseUrl: "http://localhost:4000", network: "eip155:31337", usdcAddress: USDC },
      { cache: memory },
    );
    const find = (q: string) => findServiceByNameOrUrl(testDb.db, q).then((s) => s?.name);
    expect(await find("market data api")).toBe("Market Data API");
    expect(await find("the Market-Data API")).toBe("Market Data API");
    expect(await find("market data")).toBe("Market Data API");
    expect(await find("chain stats service")).toBe("Chain Stats API");
    expect(await find("http://localhost:4000/api/demo/chain-stats")).toBe("Chain Stats API");
    expect(await find("http://localhost:4000/api/demo/chain-stats/")).toBe("Chain Stats API");
    expect(await find("stock news api")).toBeUndefined();
    expect(await find("api")).toBeUndefined();
  });
});

describe("discoverServices", () => {
  test("behavior: filters by category, text, price, reputation and MCP, with keyset pages", async () => {
    const tag = randomUUID().slice(0, 8);
    const category = `disc-${tag}`;
    for (let i = 0; i < 7; i++) {
      await createService(
        testDb.db,
        serviceInput(`Disc ${tag} ${i}`, {
          category,
          description: i % 2 === 0 ? "even oracle" : "odd feed",
          price: { amount: String(1000 * (i + 1)), asset: USDC, network: "eip155:338" },
          mcpCompatible: i < 3,
        }),
        { cache: memory },
      );
    }
    const names = (r: { services: { name: string }[] }) =>
      r.services.map((s) => s.name.split(" ").at(-1));
    const byPrice = await discoverServices(
      testDb.db,
      { category, sort: "price", limit: 3 },
      { cache: memory },
    );
    expect(names(byPrice)).toEqual(["0", "1", "2"]);
    const page2 = await discoverServices(
      testDb.db,
      { category, sort: "price", limit: 3, cursor: byPrice.nextCursor! },
      { cache: memory },
    );
    expect(names(page2)).toEqual(["3", "4", "5"]);
    const page3 = await discoverServices(
      testDb.db,
      { category, sort: "price", limit: 3, cursor: page2.nextCursor! },
      { cache: memory },
    );
    expect(names(page3)).toEqual(["6"]);
    expect(page3.nextCursor).toBeNull();

    const filtered = await discoverServices(
      testDb.db,
      { category, q: "oracle", minPrice: "2000", maxPrice: "6000", mcp: false, sort: "price" },
      { cache: memory },
    );
    expect(names(filtered)).toEqual(["4"]);

    // Reputation order: equal reputations fall back to id order across pages, without repeats.
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await discoverServices(
        testDb.db,
        { category, limit: 2, cursor },
        { cache: memory },
      );
      all.push(...page.services.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toHaveLength(7);
    expect(new Set(all).size).toBe(7);
    expect(
      (await discoverServices(testDb.db, { category, minReputation: 3.5 }, { cache: memory }))
        .services,
    ).toEqual([]);
    await expect(
      discoverServices(testDb.db, { category, sort: "price", cursor: "bogus" }, { cache: memory }),
    ).rejects.toMatchObject({ code: "bad_request" });
  });

  test("behavior: answers are cached in Redis and every write invalidates them", async () => {
    const category = `cache-${randomUUID().slice(0, 8)}`;
    await createService(testDb.db, serviceInput(`Cached ${category} A`, { category }), {
      cache: redis,
    });
    const first = await discoverServices(testDb.db, { category }, { cache: redis });
    expect(first.cached).toBe(false);
    expect(first.services).toHaveLength(1);
    const second = await discoverServices(testDb.db, { category }, { cache: redis });
    expect(second).toEqual({ ...first, cached: true });

    const added = await createService(
      testDb.db,
      serviceInput(`Cached ${category} B`, { category }),
      {
        cache: redis,
      },
    );
    const afterCreate = await discoverServices(testDb.db, { category }, { cache: redis });
    expect(afterCreate.cached).toBe(false);
    expect(afterCreate.services).toHaveLength(2);

    await updateService(testDb.db, added.id, { description: "changed" }, { cache: redis });
    const afterUpdate = await discoverServices(testDb.db, { category }, { cache: redis });
    expect(afterUpdate.cached).toBe(false);
    expect(afterUpdate.services.find((s) => s.id === added.id)?.description).toBe("changed");

    await deleteService(testDb.db, added.id, { cache: redis });
    const afterDelete = await discoverServices(testDb.db, { category }, { cache: redis });
    expect(afterDelete.cached).toBe(false);
    expect(afterDelete.services).toHaveLength(1);
  });
});
