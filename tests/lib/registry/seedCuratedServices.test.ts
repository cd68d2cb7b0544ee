import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { main as registrySeedCli } from "../../../dev/seedRegistry.js";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { getNetwork } from "../../../lib/chain/registry.js";
import { resetConfig } from "../../../lib/config.js";
import {
  type CuratedService,
  curatedNetworks,
  curatedServiceSchema,
  curatedServices,
  InvalidCuratedServiceError,
  seedCuratedServices,
} from "../../../lib/registry/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

const TESTNET_USDC = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  await testDb?.dispose();
});

/** A list entry for the tests only: a local address that is not (and does not claim to be) a real service. */
function fixture(name: string, overrides: Partial<CuratedService> = {}): CuratedService {
  return {
    name,
    description: "fixture for the seed tests",
    category: "testing",
    endpoint: `http://127.0.0.1:9/${encodeURIComponent(name)}`,
    price: { amount: "1000", asset: TESTNET_USDC, network: "eip155:338" },
    source: "http://127.0.0.1:9/docs",
    checkedOn: "2026-11-30",
    ...overrides,
  };
}

async function countServices(): Promise<number> {
  const row = await testDb.db
    .selectFrom("services")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("curatedServices", () => {
  test("behavior: every curated entry is well-formed, sourced and priced on its own network", () => {
    for (const network of curatedNetworks) {
      const caip2 = `eip155:${getNetwork(network).chainId}`;
      for (const entry of curatedServices[network]) {
        const parsed = curatedServiceSchema.parse(entry);
        expect(parsed.price.network).toBe(caip2);
        expect(new URL(parsed.source).protocol).toBe("https:");
        expect(new URL(parsed.endpoint).protocol).toBe("https:");
      }
    }
  });
});

describe("seedCuratedServices", () => {
  test("behavior: the shipped list of a network loads exactly its entries (none are known today)", async () => {
    const before = await countServices();
    for (const network of curatedNetworks) {
      const seeded = await seedCuratedServices(testDb.db, {
        network,
        cache: createMemoryCache(),
      });
      expect(seeded.caip2).toBe(network === "cronos" ? "eip155:25" : "eip155:338");
      expect(seeded.services.map((s) => s.name)).toEqual(
        curatedServices[network].map((s) => s.name),
      );
    }
    const loaded = curatedNetworks.reduce((n, net) => n + curatedServices[net].length, 0);
    expect(await countServices()).toBe(before + loaded);
  });

  test("behavior: seeding again updates in place and keeps ids and statistics", async () => {
    const cache = createMemoryCache();
    const first = await seedCuratedServices(testDb.db, {
      network: "cronos-testnet",
      services: [fixture("Seed Fixture A"), fixture("Seed Fixture B")],
      cache,
    });
    expect(first.services.map((s) => s.id)).toEqual([
      "svc_cronos_testnet_seed_fixture_a",
      "svc_cronos_testnet_seed_fixture_b",
    ]);
    await testDb.db
      .updateTable("services")
      .set({ total_calls: 3 })
      .where("id", "=", first.services[0]!.id)
      .execute();
    const second = await seedCuratedServices(testDb.db, {
      network: "cronos-testnet",
      services: [
        fixture("Seed Fixture A", {
          price: { amount: "2500", asset: TESTNET_USDC, network: "eip155:338" },
        }),
        fixture("Seed Fixture B"),
      ],
      cache,
    });
    expect(second.services.map((s) => s.id)).toEqual(first.services.map((s) => s.id));
    expect(second.services[0]).toMatchObject({ totalCalls: 3, price: { amount: "2500" } });
  });

  test("error: an entry priced on another network stops the seed before anything is written", async () => {
    const before = await countServices();
    await expect(
      seedCuratedServices(testDb.db, {
        network: "cronos",
        services: [
          fixture("Mainnet Fixture OK", {
            price: { amount: "1", asset: TESTNET_USDC, network: "eip155:25" },
          }),
          fixture("Testnet Priced Fixture"),
        ],
        cache: createMemoryCache(),
      }),
    ).rejects.toBeInstanceOf(InvalidCuratedServiceError);
    expect(await countServices()).toBe(before);
  });

  test("error: an entry without a source is refused", async () => {
    const { source: _source, ...unsourced } = fixture("Unsourced Fixture");
    await expect(
      seedCuratedServices(testDb.db, {
        network: "cronos-testnet",
        services: [unsourced as CuratedService],
        cache: createMemoryCache(),
      }),
    ).rejects.toMatchObject({ code: "validation_failed" });
  });
});

describe("npm run registry:seed", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      sink: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) },
    };
  }

  test("args: only cronos-testnet and cronos are accepted", async () => {
    for (const argv of [
      [],
      ["--network", "devnet"],
      ["--network", "mainnet"],
      ["--net", "cronos"],
    ]) {
      const { err, sink } = io();
      expect(await registrySeedCli(argv, sink)).toBe(2);
      expect(err.join("")).toContain(
        "usage: npm run registry:seed -- --network cronos-testnet|cronos",
      );
    }
  });

  test("behavior: says plainly when a network has no curated services", async () => {
    vi.stubEnv("DATABASE_URL", testDb.url!);
    resetConfig();
    const { out, sink } = io();
    expect(await registrySeedCli(["--network", "cronos"], sink)).toBe(0);
    expect(out.join("")).toBe(
      curatedServices.cronos.length === 0
        ? 'No curated x402 services are known for cronos (eip155:25); nothing was loaded. See "Registry data" in the README.\n'
        : expect.stringContaining(`Loaded ${curatedServices.cronos.length} curated services`),
    );
  });
});
