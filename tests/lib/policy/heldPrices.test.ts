import { parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Action } from "../../../lib/actions/schemas.js";
import { usdValue } from "../../../lib/actions/usdValue.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import type { Run } from "../../../lib/db/database.js";
import { chainPricer } from "../../../lib/policy/chainPricer.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { gateAction } from "../../../lib/policy/gateAction.js";
import { markPrice } from "../../../lib/policy/prices/markPrice.js";
import { PRICE_SCALE } from "../../../lib/policy/prices/readPriceRange.js";
import { samplePrices } from "../../../lib/policy/prices/samplePrices.js";
import type { PolicyAction } from "../../../lib/policy/types.js";
import { spendOf } from "../../../lib/runs/execute/spend.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";
import { sellCroIntoPool } from "../../helpers/sellCroIntoPool.js";

/**
 * A pool pushed to pass a spend (issue 13: an agent must never loosen its own limits). The devnet's
 * CRO/USDC pool holds 2,000,000 CRO against 200,000 USDC: CRO at $0.10. Selling 2,000,000 CRO into
 * it (as an agent could, or anyone with a flash loan) puts CRO near $0.025 for as long as it
 * lasts. Policy checks hold the price to the window's marks (chainPricer).
 */

let devnet: TestDevnet;
let testDb: TestDb;
let context: ChainContext;
const all = ["balance", "transfer", "swap", "pay", "discover", "subscribe", "unsubscribe"];
const start = new Date("2026-12-03T10:10:00Z");
const hours = (n: number) => new Date(start.getTime() + n * 3_600_000);

beforeAll(async () => {
  [devnet, testDb] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
}, 120_000);

afterAll(async () => {
  await Promise.all([devnet?.stop(), testDb?.dispose()]);
});

const transferCro = (amount: bigint): PolicyAction => ({
  type: "transfer",
  network: "devnet",
  spend: { token: "CRO", amount },
  counterparty: { address: "0x1111111111111111111111111111111111111111" },
});

let gates = 0;
async function gate(keyId: string, action: PolicyAction, now: Date, spotOnly = false) {
  const runId = `run_held_${++gates}`;
  return gateAction({
    db: testDb.db,
    cache: createMemoryCache(),
    price: spotOnly
      ? chainPricer(context, null)
      : chainPricer(context, testDb.db, { now: () => now }),
    keyId,
    reservationId: `${runId}:0`,
    runId,
    action,
    now,
  });
}

describe("policy prices held to the window", () => {
  test("error: a CRO spend refused at the pool's price stays refused after the pool is pushed down", async () => {
    const policy = await createPolicy(testDb.db, {
      document: { allowedActions: all, maxPerAction: { amount: "5", token: "USD" } },
    });
    const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });

    // The background check marks the pools before any spend.
    expect(
      await samplePrices(testDb.db, { chain: context, windowHours: 24, everyMs: 0, now: start }),
    ).toEqual(expect.arrayContaining(["CRO"]));
    const sixtyCro = parseEther("60"); // $6.00 at $0.10
    expect(await gate(key.id, transferCro(sixtyCro), start)).toMatchObject({
      outcome: "refuse",
      rule: "maxPerAction",
      usdMicros: 6_000_000n,
    });

    await sellCroIntoPool(context, devnet.rpcUrl, parseEther("2000000"));
    const spot = await chainPricer(context, null)("CRO", sixtyCro);
    expect(spot).toBeLessThan(2_000_000n); // about $1.50 now

    // Priced at the moment only, the same spend would pass: the gap this closes.
    expect((await gate(key.id, transferCro(sixtyCro), hours(1), true)).outcome).toBe("allow");
    // Held to the window, it is still worth $6.00 and refused, an hour later too.
    expect(await gate(key.id, transferCro(sixtyCro), hours(1))).toMatchObject({
      outcome: "refuse",
      rule: "maxPerAction",
      usdMicros: 6_000_000n,
    });

    // Once the pool has sat at the new price for longer than the window, that is the price.
    const later = await gate(key.id, transferCro(sixtyCro), hours(26));
    expect(later.outcome).toBe("allow");
    expect(later.usdMicros).toBe(spot);
  });

  test("behavior: a spend takes the window's high, a limit's token its low; marks past every window are pruned", async () => {
    const marks = testDb.db.selectFrom("price_marks").selectAll().where("token", "=", "CRO");
    const atStart = await marks.where("hour", "=", new Date("2026-12-03T10:00:00Z")).execute();
    expect(atStart).toHaveLength(1);
    const price = chainPricer(context, testDb.db, { now: () => hours(27) });
    const whole = parseEther("1");
    const spot = await chainPricer(context, null)("CRO", whole);
    // A high and a low seen two hours ago, both within the window.
    const high = 200_000n * PRICE_SCALE; // $0.20
    const low = 10_000n * PRICE_SCALE; // $0.01
    await testDb.db
      .insertInto("price_marks")
      .values({ network: "devnet", token: "CRO", hour: hours(25), high, low })
      .execute();
    expect(await price("CRO", whole)).toBe(200_000n);
    expect(await price("CRO", whole, "limit")).toBe(10_000n);
    expect(await price("USDC", parseUnits("3", 6))).toBe(3_000_000n);
    expect(await price("USDC", parseUnits("3", 6), "limit")).toBe(3_000_000n);
    expect(spot).toBeGreaterThan(10_000n);
    expect(spot).toBeLessThan(200_000n);

    // Eight days on, only the mark of that hour is left.
    await samplePrices(testDb.db, {
      chain: context,
      windowHours: 24,
      everyMs: 0,
      now: hours(8 * 24 + 5),
    });
    const left = await marks.execute();
    expect(left.map((m) => m.hour.toISOString())).toEqual(["2026-12-11T15:00:00.000Z"]);
  });

  test("behavior: session budgets count a spend at the held price too", async () => {
    // The window saw CRO at $0.20 this very hour, above anything the pool shows now ($0.10, or
    // ~$0.025 once the first test has pushed it).
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await testDb.db
      .insertInto("price_marks")
      .values({
        network: "devnet",
        token: "CRO",
        hour,
        high: 200_000n * PRICE_SCALE,
        low: 200_000n * PRICE_SCALE,
      })
      .onConflict((oc) =>
        oc.columns(["network", "token", "hour"]).doUpdateSet({ high: 200_000n * PRICE_SCALE }),
      )
      .execute();
    const action = {
      type: "transfer",
      token: "CRO",
      amount: parseEther("60").toString(),
      to: "0x1111111111111111111111111111111111111111",
    } as Action;
    const spend = await spendOf(
      { db: testDb.db, run: { id: "run_budget" } as Run, chain: context },
      action,
    );
    expect(spend).toEqual({ token: "CRO", amount: parseEther("60"), usdAmount: "12.000000" });
    expect(Number(await usdValue(context, "CRO", parseEther("60")))).toBeLessThanOrEqual(6);
  });

  test("error: a USDC spend counted in a CRO window is converted at the window's low, not the moment's price", async () => {
    // Limits in a token divide by its price: the low side is the strict one (valueIn).
    const policy = await createPolicy(testDb.db, {
      document: { allowedActions: all, windows: [{ period: "day", amount: "1000", token: "CRO" }] },
    });
    const key = await createKey(testDb.db, {
      name: "cro window",
      role: "agent",
      policyId: policy.id,
    });
    const nineUsdc = {
      type: "transfer",
      network: "devnet",
      spend: { token: "USDC", amount: parseUnits("9", 6) },
      counterparty: { address: "0x1111111111111111111111111111111111111111" },
    } as const satisfies PolicyAction;
    const at = hours(40);
    // At the pushed pool's ~$0.025, 9 USDC is ~360 CRO: inside 1,000 CRO.
    expect((await gate(key.id, nineUsdc, at, true)).outcome).toBe("allow");
    // The window saw CRO at $0.005 an hour ago: 9 USDC counts as 1,800 CRO.
    await testDb.db
      .insertInto("price_marks")
      .values({
        network: "devnet",
        token: "CRO",
        hour: hours(39),
        high: 5_000n * PRICE_SCALE,
        low: 5_000n * PRICE_SCALE,
      })
      .execute();
    expect(await gate(key.id, nineUsdc, at)).toMatchObject({
      outcome: "refuse",
      rule: "windows[0]",
    });
  });

  test("behavior: marks are hourly; a pricing inside a transaction reads them and records nothing", async () => {
    const at = new Date("2026-12-20T07:42:13Z");
    await markPrice(testDb.db, {
      network: "devnet",
      token: "VVS",
      price: 7n,
      windowHours: 24,
      now: at,
    });
    await markPrice(testDb.db, {
      network: "devnet",
      token: "VVS",
      price: 9n,
      windowHours: 24,
      now: hours(0),
    });
    expect(
      await markPrice(testDb.db, {
        network: "devnet",
        token: "VVS",
        price: 8n,
        windowHours: 24,
        now: at,
      }),
    ).toEqual({ high: 8n, low: 7n });
    const vvs = await testDb.db
      .selectFrom("price_marks")
      .select(["hour", "high", "low"])
      .where("token", "=", "VVS")
      .where("hour", ">=", new Date("2026-12-19T00:00:00Z"))
      .execute();
    expect(vvs.map((m) => [m.hour.toISOString(), String(m.high), String(m.low)])).toEqual([
      ["2026-12-20T07:00:00.000Z", "8", "7"],
    ]);

    const counted = () =>
      testDb.db
        .selectFrom("price_marks")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
    const before = await counted();
    const range = await testDb.db.transaction().execute((trx) =>
      // Two hours on: a mark of its own would be a new row.
      markPrice(trx, {
        network: "devnet",
        token: "VVS",
        price: 6n,
        windowHours: 24,
        now: new Date("2026-12-20T09:10:00Z"),
      }),
    );
    expect(range).toEqual({ high: 8n, low: 6n });
    expect(await counted()).toEqual(before);
    const unchanged = await testDb.db
      .selectFrom("price_marks")
      .select(["low"])
      .where("token", "=", "VVS")
      .where("hour", "=", new Date("2026-12-20T07:00:00Z"))
      .executeTakeFirstOrThrow();
    expect(String(unchanged.low)).toBe("7");
  });
});
