import { createTestClient, http, parseEther, parseUnits, publicActions } from "viem";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { checkSwapPrice } from "../../../lib/chain/averages/checkSwapPrice.js";
import { observePools } from "../../../lib/chain/averages/observePools.js";
import { readPairCumulatives } from "../../../lib/chain/averages/readPairCumulatives.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { quoteSwap } from "../../../lib/chain/quoteSwap.js";
import { swapExactIn } from "../../../lib/chain/swapExactIn.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";
import { sellCroIntoPool } from "../../helpers/sellCroIntoPool.js";

/**
 * A pool pushed for a moment (a sandwich's first leg, a flash loan) must not buy the wallet's
 * tokens at its price. The devnet's CRO/USDC pool holds 2,000,000 CRO against 200,000 USDC (CRO at
 * $0.10); selling 2,000,000 CRO into it puts CRO near $0.025. A swap compares the pool with its
 * average from the pair's own oracle (lib/chain/averages) and is refused 5% below it.
 */

let devnet: TestDevnet;
let testDb: TestDb;
let context: ChainContext;
const guard = { averageMinutes: 10, maxGapBps: 500 };
let steps = 0;

beforeAll(async () => {
  [devnet, testDb] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
}, 120_000);

afterAll(async () => {
  await Promise.all([devnet?.stop(), testDb?.dispose()]);
});

/** Moves the devnet's clock and mines a block at the new time. */
async function passMinutes(minutes: number): Promise<void> {
  const anvil = createTestClient({ mode: "anvil", transport: http(devnet.rpcUrl) }).extend(
    publicActions,
  );
  await anvil.increaseTime({ seconds: minutes * 60 });
  await anvil.mine({ blocks: 1 });
  await untilClientSees(await anvil.getBlockNumber());
}

/** The chain client caches the block number for its polling interval: wait until it has moved on. */
async function untilClientSees(blockNumber: bigint): Promise<void> {
  while ((await context.publicClient.getBlockNumber()) < blockNumber)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

const agent = () => devnet.accounts.agent.address;
const sellCro = (cro: string, priceGuard = guard) =>
  swapExactIn(context, testDb.db, {
    stepId: `gap-${++steps}`,
    tokenIn: "CRO",
    tokenOut: "USDC",
    amountIn: parseEther(cro),
    slippageBps: 50,
    deadlineSeconds: 300,
    priceGuard,
  });

describe("the pair's oracle", () => {
  test("behavior: a reading carried to a later block equals what the pair writes when it trades there", async () => {
    const { pairs } = await quoteSwap(context, {
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: parseEther("1"),
    });
    const pair = pairs[0] as `0x${string}`;
    const before = await readPairCumulatives(context, {
      pair,
      blockNumber: await context.publicClient.getBlockNumber(),
    });
    await passMinutes(7);
    // A trade makes the pair write its accumulators as of its block, from the reserves before it.
    const traded = await sellCro("1", { averageMinutes: 0, maxGapBps: 500 });
    const after = await readPairCumulatives(context, {
      pair,
      blockNumber: BigInt(traded.blockNumber),
    });
    const written = await context.publicClient.readContract({
      address: pair,
      abi: [
        {
          type: "function",
          name: "price0CumulativeLast",
          stateMutability: "view",
          inputs: [],
          outputs: [{ type: "uint256" }],
        },
      ],
      functionName: "price0CumulativeLast",
      blockNumber: BigInt(traded.blockNumber),
    });
    expect(after.price0Cumulative).toBe(written);
    // Carried forward by the reserves held in between (no other trade).
    const seconds = after.timestamp - before.timestamp;
    expect(seconds).toBeGreaterThanOrEqual(7n * 60n);
    expect(after.price0Cumulative - before.price0Cumulative).toBe(
      ((before.reserve1 << 112n) / before.reserve0) * seconds,
    );
  });
});

describe("swaps against the pool's average", () => {
  test("behavior: with no observation old enough there is no average, and the swap keeps the slippage floor", async () => {
    const result = await sellCro("10");
    expect(result.priceGap).toBeNull();
    expect(BigInt(result.amountOutMin)).toBe((BigInt(result.quotedAmountOut) * 9950n) / 10000n);
  });

  test("error: a pool pushed down is not sold into; the average catches up with a move that lasts", async () => {
    expect(await observePools(testDb.db, { chain: context, everyMs: 0 })).toBeGreaterThan(0);
    await passMinutes(15);

    // Unpushed: the pool pays its average, the guard's floor is below the slippage floor.
    const calm = await sellCro("10");
    expect(calm.priceGap).toMatchObject({ gapBps: 0 });
    expect(calm.priceGap?.averageSeconds).toBeGreaterThanOrEqual(15 * 60);
    expect(BigInt(calm.priceGap?.floor ?? "0")).toBeLessThan(BigInt(calm.amountOutMin));

    await sellCroIntoPool(context, devnet.rpcUrl, parseEther("2000000"));
    const croBefore = await context.publicClient.getBalance({ address: agent() });
    const nonceBefore = await context.publicClient.getTransactionCount({ address: agent() });
    const refused = await sellCro("100").catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: "PriceGapError", kind: "refused" });
    expect(String((refused as Error).message)).toMatch(
      /pays 7\d(\.\d+)?% less than its average over the last 1[56] minutes \(at most 5% is accepted\).*nothing was sent/,
    );
    expect(await context.publicClient.getBalance({ address: agent() })).toBe(croBefore);
    expect(await context.publicClient.getTransactionCount({ address: agent() })).toBe(nonceBefore);

    // The other way the pushed pool pays more than its average: buying CRO goes through.
    const buy = await swapExactIn(context, testDb.db, {
      stepId: `gap-${++steps}`,
      tokenIn: "USDC",
      tokenOut: "CRO",
      amountIn: parseUnits("1", 6),
      slippageBps: 50,
      deadlineSeconds: 300,
      priceGuard: guard,
    });
    expect(buy.priceGap).toMatchObject({ gapBps: 0 });

    // A move that lasts: the refused swap observed the pushed pool; ten minutes on, the average
    // since then is the new price, and CRO sells at it.
    await passMinutes(11);
    const later = await sellCro("100");
    expect(later.priceGap?.gapBps).toBeLessThan(100);
    expect(BigInt(later.amountOut)).toBeLessThan(parseUnits("3", 6)); // ~$0.025 a CRO, not $0.10
  });

  test("error: without the guard the same pushed pool takes the CRO for less than half the USDC", async () => {
    expect(await observePools(testDb.db, { chain: context, everyMs: 0 })).toBeGreaterThan(0);
    await passMinutes(15);
    const before = await quoteSwap(context, {
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: parseEther("100"),
    });
    await sellCroIntoPool(context, devnet.rpcUrl, parseEther("2000000"));
    const quote = await quoteSwap(context, {
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: parseEther("100"),
    });
    const { gap } = await checkSwapPrice(context, testDb.db, { quote, ...guard });
    expect(gap?.gapBps).toBeGreaterThan(5000);
    expect(BigInt(quote.amountOut)).toBeLessThan(gap?.floor ?? 0n);
    await expect(sellCro("100")).rejects.toMatchObject({ name: "PriceGapError" });
    const unguarded = await sellCro("100", { averageMinutes: 0, maxGapBps: 500 });
    expect(unguarded.priceGap).toBeNull();
    expect(BigInt(unguarded.amountOut) * 2n).toBeLessThan(BigInt(before.amountOut));
  });

  test("behavior: with no stored observation the chain's own state from before serves as the start", async () => {
    // The newest block ten minutes back or more is the last swap above: after the second push.
    await testDb.db.deleteFrom("pool_observations").execute();
    await passMinutes(15);
    const result = await sellCro("10");
    expect(result.priceGap).toMatchObject({ gapBps: 0 });
    expect(result.priceGap?.averageSeconds).toBeGreaterThanOrEqual(15 * 60);
    expect(result.priceGap?.averageSeconds).toBeLessThan(16 * 60);
  });

  test("behavior: the hops of a route share one search of the chain's history", async () => {
    // VVS → WCRO → USDC has two pairs; the block ten minutes back does not depend on the pair.
    await passMinutes(15);
    const blockNumber = await context.publicClient.getBlockNumber();
    const blockReads = async (tokenIn: string, amountIn: bigint): Promise<number> => {
      await testDb.db.deleteFrom("pool_observations").execute();
      const quote = await quoteSwap(context, { tokenIn, tokenOut: "USDC", amountIn, blockNumber });
      const getBlock = vi.spyOn(context.publicClient, "getBlock");
      try {
        const { gap } = await checkSwapPrice(context, testDb.db, { quote, ...guard });
        expect(gap).not.toBeNull();
        return getBlock.mock.calls.length;
      } finally {
        getBlock.mockRestore();
      }
    };
    const oneHop = await blockReads("CRO", parseEther("10"));
    const twoHops = await blockReads("VVS", parseEther("10"));
    expect(oneHop).toBeGreaterThan(4);
    // The second pair adds only its own two reads (now and at the start), not a second search.
    expect(twoHops).toBe(oneHop + 2);
  });

  test("behavior: a move that lasts is accepted about ten minutes after it, even with an older observation stored", async () => {
    await testDb.db.deleteFrom("pool_observations").execute();
    expect(await observePools(testDb.db, { chain: context, everyMs: 0 })).toBeGreaterThan(0);
    await passMinutes(5);
    await sellCroIntoPool(context, devnet.rpcUrl, parseEther("2000000"));
    await passMinutes(11);
    // Averaged from the observation (16 minutes back) this sale would be refused; the average
    // starts at the newest block ten minutes back instead: the move's.
    const result = await sellCro("10");
    expect(result.priceGap?.gapBps).toBeLessThan(100);
    expect(result.priceGap?.averageSeconds).toBeLessThan(12 * 60);
  });

  test("behavior: an average reaches back an hour at most; after 90 quiet minutes there is none", async () => {
    await passMinutes(90);
    const result = await sellCro("10");
    expect(result.priceGap).toBeNull();
  });

  test("error: an observation that is not of this chain's past (a devnet restarted from scratch) is passed over for the chain's own state", async () => {
    await testDb.db.deleteFrom("pool_observations").execute();
    await passMinutes(11);
    const quote = await quoteSwap(context, {
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: parseEther("10"),
    });
    const block = await context.publicClient.getBlock({ blockNumber: BigInt(quote.blockNumber) });
    const pair = quote.pairs[0] as `0x${string}`;
    const now = await readPairCumulatives(context, {
      pair,
      blockNumber: BigInt(quote.blockNumber),
    });
    const beyond = (value: bigint) => ((value + 10n ** 40n) % (1n << 256n)).toString();
    const minutesAgo = (minutes: number) =>
      new Date((Number(block.timestamp) - minutes * 60) * 1000);
    // Both would be the newest stored observation ten minutes back or more: one from a block this
    // chain has not reached, one with accumulators beyond today's.
    await testDb.db
      .insertInto("pool_observations")
      .values([
        {
          network: "devnet",
          pair: pair.toLowerCase(),
          observed_at: minutesAgo(10.2),
          block_number: quote.blockNumber,
          price0_cumulative: "0",
          price1_cumulative: "0",
        },
        {
          network: "devnet",
          pair: pair.toLowerCase(),
          observed_at: minutesAgo(10.5),
          block_number: "1",
          price0_cumulative: beyond(now.price0Cumulative),
          price1_cumulative: beyond(now.price1Cumulative),
        },
      ])
      .execute();
    const { gap } = await checkSwapPrice(context, testDb.db, { quote, ...guard });
    // The chain's block from before the eleven minutes, not either row.
    expect(gap).toMatchObject({ gapBps: 0 });
    expect(gap?.averageSeconds).toBeGreaterThanOrEqual(11 * 60);
  });
});
