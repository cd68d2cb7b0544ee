import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { closestEndpointMatch } from "../../../lib/registry/closestEndpointMatch.js";
import { endpointKey } from "../../../lib/registry/endpointKey.js";
import {
  createService,
  findServiceByNameOrUrl,
  seedDemoServices,
  updateService,
} from "../../../lib/registry/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

const USDC = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";

let testDb: TestDb;
let memory: Cache;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  memory = createMemoryCache();
});

afterAll(async () => {
  await testDb?.dispose();
});

/** A service at `endpoint` under a fresh name; its id. */
async function register(endpoint: string): Promise<string> {
  const service = await createService(
    testDb.db,
    {
      name: `By URL ${randomUUID()}`,
      category: "testing",
      endpoint,
      price: { amount: "1000", asset: USDC, network: "eip155:338" },
    },
    { cache: memory },
  );
  return service.id;
}

const idOf = (url: string) => findServiceByNameOrUrl(testDb.db, url).then((s) => s?.id);

describe("endpointKey", () => {
  test("behavior: spellings of one resource share a key; other resources do not", () => {
    const key = "https://api.example.com/v1/quote";
    for (const spelling of [
      "https://api.example.com/v1/quote",
      "HTTPS://API.Example.COM/v1/quote",
      "https://api.example.com:443/v1/quote",
      "https://api.example.com/v1/quote/",
      "https://api.example.com/v1/quote//",
      "https://api.example.com//v1//quote",
      "https://api.example.com///v1/quote",
      "https://api.example.com/v1/quote?x=1",
      "https://api.example.com/v1/quote?",
      "https://api.example.com/v1/quote#top",
      "https://api.example.com/v1/./quote",
      "https://api.example.com/v1/other/../quote",
      "https://api.example.com./v1/quote",
      "https://api.example.com/v1/%71uote",
      "  https://api.example.com/v1/quote  ",
    ]) {
      expect(endpointKey(spelling), spelling).toBe(key);
    }
    for (const other of [
      "http://api.example.com/v1/quote", // another scheme
      "https://api.example.com:8443/v1/quote", // another port
      "https://example.com/v1/quote", // another host
      "https://api.example.com/v1/Quote", // paths are case-sensitive
      "https://api.example.com/v1/quote/x",
      "https://api.example.com/v1",
    ]) {
      expect(endpointKey(other), other).not.toBe(key);
    }
    expect(endpointKey("http://h:80/")).toBe("http://h");
    expect(endpointKey("http://h/a%2fb")).toBe("http://h/a%2Fb"); // an encoded slash stays encoded
    expect(endpointKey("ftp://h/a")).toBeUndefined();
    expect(endpointKey("not a url")).toBeUndefined();
  });

  test("behavior: among services sharing a path, the one whose own query the URL carries wins", () => {
    const services = [
      { id: "svc_1", endpoint: "https://q.example/quote" },
      { id: "svc_2", endpoint: "https://q.example/quote?plan=basic" },
      { id: "svc_3", endpoint: "https://q.example/quote?plan=pro&region=eu" },
    ];
    const pick = (url: string) => closestEndpointMatch(services, url)?.id;
    expect(pick("https://q.example/quote?plan=basic&x=1")).toBe("svc_2");
    expect(pick("https://q.example/quote?region=eu&plan=pro")).toBe("svc_3");
    expect(pick("https://q.example/quote?plan=pro")).toBe("svc_1");
    expect(pick("https://q.example/quote?x=1")).toBe("svc_1");
    // No candidate's query is carried: the path still names a registered service (the first).
    expect(closestEndpointMatch(services.slice(1), "https://q.example/quote")?.id).toBe("svc_2");
    expect(closestEndpointMatch([], "https://q.example/quote")).toBeUndefined();
  });
});

describe("findServiceByNameOrUrl by URL", () => {
  test("behavior: a query, host case, default port or trailing slash still finds the service", async () => {
    const tag = randomUUID().slice(0, 8);
    const id = await register(`http://market-${tag}.example/api/demo/market-data`);
    for (const url of [
      `http://market-${tag}.example/api/demo/market-data`,
      `http://market-${tag}.example/api/demo/market-data?x=1`,
      `http://MARKET-${tag.toUpperCase()}.EXAMPLE/api/demo/market-data`,
      `HTTP://market-${tag}.example:80/api/demo/market-data/?x=2#frag`,
    ]) {
      expect(await idOf(url), url).toBe(id);
    }
    for (const url of [
      `http://market-${tag}.example/api/demo/market-data/more`,
      `http://market-${tag}.example/API/demo/market-data`,
      `https://market-${tag}.example/api/demo/market-data`,
      `http://market-${tag}.example:8080/api/demo/market-data`,
    ]) {
      expect(await idOf(url), url).toBeUndefined();
    }
  });

  test("behavior: a stored endpoint's own spelling and query do not hide it", async () => {
    const tag = randomUUID().slice(0, 8);
    const id = await register(`HTTPS://Quotes-${tag}.example:443/v1/quote/?plan=pro`);
    expect(await idOf(`https://quotes-${tag}.example/v1/quote`)).toBe(id);
    expect(await idOf(`https://quotes-${tag}.example/v1/quote?plan=pro&x=1`)).toBe(id);
  });

  test("behavior: the key follows an endpoint changed by update or by re-seeding", async () => {
    const tag = randomUUID().slice(0, 8);
    const id = await register(`http://old-${tag}.example/feed`);
    await updateService(
      testDb.db,
      id,
      { endpoint: `http://new-${tag}.example/feed` },
      {
        cache: memory,
      },
    );
    expect(await idOf(`http://old-${tag}.example/feed?x=1`)).toBeUndefined();
    expect(await idOf(`http://NEW-${tag}.example/feed?x=1`)).toBe(id);

    const seed = (baseUrl: string) =>
      seedDemoServices(
        testDb.db,
        { baseUrl, network: "eip155:31337", usdcAddress: USDC },
        { cache: memory },
      );
    await seed(`http://seed-a-${tag}.example`);
    await seed(`http://seed-b-${tag}.example`);
    expect(await idOf(`http://SEED-B-${tag}.example/api/demo/market-data?x=1`)).toBe(
      "svc_demo_market_data",
    );
    expect(await idOf(`http://seed-a-${tag}.example/api/demo/market-data`)).toBeUndefined();
  });
});
