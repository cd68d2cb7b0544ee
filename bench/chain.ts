import { performance } from "node:perf_hooks";
import { createTestClient, http, parseEther, parseUnits, publicActions } from "viem";
import { observePools } from "../lib/chain/averages/observePools.js";
import { createChainContext } from "../lib/chain/clients.js";
import { quoteSwap } from "../lib/chain/quoteSwap.js";
import { swapExactIn } from "../lib/chain/swapExactIn.js";
import { transferToken } from "../lib/chain/transferToken.js";
import { createTestDb } from "../tests/helpers/db.js";
import { startTestDevnet } from "../tests/helpers/devnet.js";
import { type BenchRow, percentile, round } from "./stats.js";

const QUOTES = 50;
const SWAPS = 20;
const WARMUP = 2;

/**
 * Chain actions on a fresh local anvil with the fixtures, recording into a scratch Postgres database:
 * quoteSwap (reserve reads), swapExactIn both directions (quote, balance check, approval when
 * needed, sign → record → broadcast → receipt) and transferToken. anvil mines instantly, so these are
 * Paygent's own overhead plus RPC round trips, not block times. The guarded swap is the one a run's
 * swap step makes: it also compares the pool with its recent average (lib/chain/averages), from a
 * stored observation or, with none, from the chain's state ten minutes back.
 */
export async function run(): Promise<BenchRow[]> {
  const [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  try {
    const context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
    const time = async (task: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await task();
      return performance.now() - started;
    };
    const sample = async (
      count: number,
      task: (index: number) => Promise<unknown>,
    ): Promise<number[]> => {
      for (let index = 0; index < WARMUP; index++) await task(-1 - index);
      const samples: number[] = [];
      for (let index = 0; index < count; index++) samples.push(await time(() => task(index)));
      return samples;
    };

    const quotes = await sample(QUOTES, () =>
      quoteSwap(context, { tokenIn: "CRO", tokenOut: "USDC", amountIn: parseEther("10") }),
    );
    const twoHop = await sample(QUOTES, () =>
      quoteSwap(context, { tokenIn: "VVS", tokenOut: "USDC", amountIn: parseEther("1000") }),
    );
    const croToUsdc = await sample(SWAPS, (index) =>
      swapExactIn(context, db.db, {
        stepId: `bench-cro-${index}`,
        tokenIn: "CRO",
        tokenOut: "USDC",
        amountIn: parseEther("1"),
        slippageBps: 50,
        deadlineSeconds: 300,
      }),
    );
    const usdcToCro = await sample(SWAPS, (index) =>
      swapExactIn(context, db.db, {
        stepId: `bench-usdc-${index}`,
        tokenIn: "USDC",
        tokenOut: "CRO",
        amountIn: parseUnits("0.1", 6),
        slippageBps: 50,
        deadlineSeconds: 300,
      }),
    );
    const retries = await sample(SWAPS, (index) =>
      swapExactIn(context, db.db, {
        stepId: `bench-cro-${Math.max(index, 0)}`,
        tokenIn: "CRO",
        tokenOut: "USDC",
        amountIn: parseEther("1"),
        slippageBps: 50,
        deadlineSeconds: 300,
      }),
    );
    // An average needs a start at least ten minutes back: observe, then move the devnet's clock.
    await observePools(db.db, { chain: context, everyMs: 0 });
    const anvil = createTestClient({ mode: "anvil", transport: http(devnet.rpcUrl) }).extend(
      publicActions,
    );
    await anvil.increaseTime({ seconds: 15 * 60 });
    await anvil.mine({ blocks: 1 });
    // The chain client caches the block number for its polling interval.
    const mined = await anvil.getBlockNumber();
    while ((await context.publicClient.getBlockNumber()) < mined)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const guardedSwap = async (stepId: string) => {
      const swapped = await swapExactIn(context, db.db, {
        stepId,
        tokenIn: "CRO",
        tokenOut: "USDC",
        amountIn: parseEther("1"),
        slippageBps: 50,
        deadlineSeconds: 300,
        priceGuard: { averageMinutes: 10, maxGapBps: 500 },
      });
      // A swap that found no average did not measure the guard.
      if (!swapped.priceGap) throw new Error(`${stepId}: the swap had no average to compare with`);
      return swapped;
    };
    const guarded = await sample(SWAPS, (index) => guardedSwap(`bench-guarded-${index}`));
    const guardedFromChain = await sample(SWAPS, async (index) => {
      await db.db.deleteFrom("pool_observations").execute();
      return guardedSwap(`bench-guarded-chain-${index}`);
    });
    const transfers = await sample(SWAPS, (index) =>
      transferToken(context, db.db, {
        stepId: `bench-transfer-${index}`,
        token: "USDC",
        to: devnet.accounts.merchant.address,
        amount: 1n,
      }),
    );

    const rows = (name: string, samples: number[], target?: string): BenchRow[] => [
      { name: `${name} p50`, value: round(percentile(samples, 50)), unit: "ms", target },
      { name: `${name} p95`, value: round(percentile(samples, 95)), unit: "ms" },
    ];
    return [
      ...rows("quote CRO→USDC", quotes, "≤ 50 ms"),
      ...rows("quote VVS→WCRO→USDC", twoHop),
      ...rows("swap CRO→USDC", croToUsdc, "≤ 300 ms"),
      ...rows("swap CRO→USDC, price guard (stored start)", guarded, "≤ 300 ms"),
      ...rows("swap CRO→USDC, price guard (chain start)", guardedFromChain, "≤ 300 ms"),
      ...rows("swap USDC→CRO (+approve)", usdcToCro),
      ...rows("swap retry (same stepId)", retries, "≤ 50 ms"),
      ...rows("transfer USDC", transfers),
    ];
  } finally {
    await Promise.all([devnet.stop(), db.dispose()]);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  for (const row of await run())
    console.log(
      `${row.name.padEnd(44)} ${String(row.value).padStart(9)} ${row.unit} ${row.target ?? ""}`,
    );
}
