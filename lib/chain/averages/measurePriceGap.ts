import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import { findPairObservation } from "./findPairObservation.js";
import { cumulativeDifference, Q112, readPairCumulatives } from "./readPairCumulatives.js";
import { recordPairObservation } from "./recordPairObservation.js";

/** An average older than this says nothing about today's price: no guard rather than a stale one. */
export const OBSERVATION_MAX_AGE_SECONDS = 24 * 3600;

export interface MeasurePriceGapParameters {
  /** The route the quote took (quoteSwap's `pairs` and `path`) and the block it read. */
  pairs: readonly Address[];
  path: readonly Address[];
  blockNumber: bigint;
  /** The quote's output at that block, base units of the last token of the path. */
  quotedAmountOut: bigint;
  /** The average runs from an observation at least this many minutes old. */
  averageMinutes: number;
  /** How far below the average (basis points) the route may pay before the swap is refused. */
  maxGapBps: number;
}

export interface PriceGap {
  /** Seconds the average spans (its shortest hop). */
  averageSeconds: number;
  /** How far below its average the route pays now, in basis points (0 when at or above it). */
  gapBps: number;
  /** The least output the swap may take: the quote moved to the average price, less maxGapBps. */
  floor: bigint;
}

/**
 * Compares a route's price now with its average over the last `averageMinutes` or more, from the
 * pairs' own oracles (their cumulative prices, read now and taken from a stored observation), and
 * records this reading as an observation for later swaps. A pool pushed for a moment moves its
 * price now but barely its average: the gap shows it. Null while a pair has no observation old
 * enough (a fresh deployment, or none in the last 24 hours): there is nothing to compare with.
 */
export async function measurePriceGap(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: MeasurePriceGapParameters,
): Promise<PriceGap | null> {
  const minSeconds = BigInt(Math.round(parameters.averageMinutes * 60));
  const hops = await Promise.all(
    parameters.pairs.map(async (pair, index) => {
      const now = await readPairCumulatives(context, {
        pair,
        blockNumber: parameters.blockNumber,
      });
      const earlier = await findPairObservation(db, {
        network: context.network,
        pair,
        notBefore: new Date(Number(now.timestamp - BigInt(OBSERVATION_MAX_AGE_SECONDS)) * 1000),
        notAfter: new Date(Number(now.timestamp - minSeconds) * 1000),
      });
      await recordPairObservation(db, context.network, now);
      if (!earlier || now.timestamp <= earlier.timestamp) return null;
      const seconds = now.timestamp - earlier.timestamp;
      const tokenIn = (parameters.path[index] as Address).toLowerCase();
      const inIsToken0 = now.token0.toLowerCase() === tokenIn;
      // Price of the hop's input in its output: now from the reserves, on average from the oracle.
      return inIsToken0
        ? {
            seconds,
            spot: { numerator: now.reserve1, denominator: now.reserve0 },
            average: cumulativeDifference(now.price0Cumulative, earlier.price0Cumulative),
          }
        : {
            seconds,
            spot: { numerator: now.reserve0, denominator: now.reserve1 },
            average: cumulativeDifference(now.price1Cumulative, earlier.price1Cumulative),
          };
    }),
  );
  if (hops.some((hop) => hop === null || hop.average === 0n)) return null;
  // The route's price is the product of its hops': average / spot as one fraction.
  let averageOverSpot = { numerator: 1n, denominator: 1n };
  for (const hop of hops as NonNullable<(typeof hops)[number]>[]) {
    averageOverSpot = {
      numerator: averageOverSpot.numerator * hop.average * hop.spot.denominator,
      denominator: averageOverSpot.denominator * hop.seconds * Q112 * hop.spot.numerator,
    };
  }
  const { numerator, denominator } = averageOverSpot;
  const floor =
    (parameters.quotedAmountOut * numerator * BigInt(10_000 - parameters.maxGapBps)) /
    (denominator * 10_000n);
  // spot / average below 1 is the gap; at or above the average there is none.
  const gapBps =
    numerator > denominator ? Number(((numerator - denominator) * 10_000n) / numerator) : 0;
  const averageSeconds = Math.min(
    ...(hops as NonNullable<(typeof hops)[number]>[]).map((hop) => Number(hop.seconds)),
  );
  return { averageSeconds, gapBps, floor };
}
