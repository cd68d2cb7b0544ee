import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import { averageWindow } from "./averageWindow.js";
import { findAverageStart } from "./findAverageStart.js";
import { type EarlierBlock, findEarlierBlock } from "./findEarlierBlock.js";
import type { FindStartBlock } from "./readEarlierCumulatives.js";
import { Q112, readPairCumulatives } from "./readPairCumulatives.js";
import { recordPairObservation } from "./recordPairObservation.js";
import { subtractCumulatives } from "./subtractCumulatives.js";

export interface MeasurePriceGapParameters {
  /** The route the quote took (quoteSwap's `pairs` and `path`) and the block it read. */
  pairs: readonly Address[];
  path: readonly Address[];
  blockNumber: bigint;
  /** The quote's output at that block, base units of the last token of the path. */
  quotedAmountOut: bigint;
  /** The average starts at least this many minutes back (see averageWindow). */
  averageMinutes: number;
  /** How far below the average (basis points) the route may pay before the swap is refused. */
  maxGapBps: number;
}

export interface PriceGap {
  /** Seconds the average spans (its shortest hop). */
  averageSeconds: number;
  /** How far below its average the route pays now, in basis points rounded up (0 at or above it). */
  gapBps: number;
  /** The least output the swap may take: the quote moved to the average price, less maxGapBps. */
  floor: bigint;
}

/** One hop's price of its input in its output: now (a reserve ratio) and on average (UQ112.112 × seconds). */
interface HopPrices {
  seconds: bigint;
  spot: { numerator: bigint; denominator: bigint };
  averageTimesSeconds: bigint;
}

/**
 * Compares a route's price now with its average over the last `averageMinutes` or more, from the
 * pairs' own oracles (their cumulative prices, read now and at the average's start), and records
 * this reading as an observation for later swaps. A pool pushed for a moment moves its price now
 * but barely its average: the gap shows it. Null while a pair has no start in the window (a young
 * chain with no stored observation, a pruned node).
 */
export async function measurePriceGap(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: MeasurePriceGapParameters,
): Promise<PriceGap | null> {
  // Where the chain's state serves as the start, the block does not depend on the pair: every hop
  // reads `now` at the same block, so one search serves them all (a two-hop route: up to 24 RPC
  // calls saved).
  const { minSeconds } = averageWindow(parameters.averageMinutes);
  let startBlock: Promise<EarlierBlock | undefined> | undefined;
  const findStartBlock: FindStartBlock = (from) => {
    startBlock ??= findEarlierBlock(context, { from, minSeconds });
    return startBlock;
  };
  const hops = await Promise.all(
    parameters.pairs.map((pair, index) =>
      measureHop(context, db, parameters, findStartBlock, pair, parameters.path[index] as Address),
    ),
  );
  if (!hops.every((hop): hop is HopPrices => hop !== null)) return null;
  // The route's price is the product of its hops': average / spot as one fraction.
  let numerator = 1n;
  let denominator = 1n;
  for (const hop of hops) {
    numerator *= hop.averageTimesSeconds * hop.spot.denominator;
    denominator *= hop.seconds * Q112 * hop.spot.numerator;
  }
  const floor =
    (parameters.quotedAmountOut * numerator * BigInt(10_000 - parameters.maxGapBps)) /
    (denominator * 10_000n);
  // spot / average below 1 is the gap; at or above the average there is none.
  const gapBps =
    numerator > denominator
      ? Number(((numerator - denominator) * 10_000n + numerator - 1n) / numerator)
      : 0;
  const averageSeconds = Math.min(...hops.map((hop) => Number(hop.seconds)));
  return { averageSeconds, gapBps, floor };
}

async function measureHop(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: MeasurePriceGapParameters,
  findStartBlock: FindStartBlock,
  pair: Address,
  tokenIn: Address,
): Promise<HopPrices | null> {
  const now = await readPairCumulatives(context, { pair, blockNumber: parameters.blockNumber });
  const start = await findAverageStart(context, db, {
    now,
    averageMinutes: parameters.averageMinutes,
    findStartBlock,
  });
  await recordPairObservation(db, context.network, now);
  if (!start || now.timestamp <= start.timestamp) return null;
  const inIsToken0 = now.token0.toLowerCase() === tokenIn.toLowerCase();
  const averageTimesSeconds = inIsToken0
    ? subtractCumulatives(now.price0Cumulative, start.price0Cumulative)
    : subtractCumulatives(now.price1Cumulative, start.price1Cumulative);
  if (!averageTimesSeconds) return null;
  return {
    seconds: now.timestamp - start.timestamp,
    spot: inIsToken0
      ? { numerator: now.reserve1, denominator: now.reserve0 }
      : { numerator: now.reserve0, denominator: now.reserve1 },
    averageTimesSeconds,
  };
}
