import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/database.js";
import { isErrorNamed } from "../../errors/index.js";
import { log } from "../../log.js";
import type { ChainContext } from "../clients.js";
import { quoteSwap } from "../quoteSwap.js";
import { OBSERVATION_KEEP_SECONDS } from "./averageWindow.js";
import { readPairCumulatives } from "./readPairCumulatives.js";
import { recordPairObservation } from "./recordPairObservation.js";

/** Per network, process-wide: when its pools were last observed (the checks run every few seconds). */
const lastObservedAt = new Map<string, number>();

/**
 * Records the oracle of every pair a swap between registered tokens would go through (background
 * check), so a swap finds an observation old enough to average from even when no swap ran before
 * it, and forgets observations no average reaches. At most once per `everyMs` per process. Returns
 * the number of pairs observed, or null when it was not yet time.
 */
export async function observePools(
  db: Kysely<Database>,
  parameters: { chain: ChainContext; everyMs?: number; now?: Date },
): Promise<number | null> {
  const { chain } = parameters;
  const now = parameters.now ?? new Date();
  const everyMs = parameters.everyMs ?? 60_000;
  if (!chain.registry.dex) return null;
  if (everyMs > 0 && now.getTime() - (lastObservedAt.get(chain.network) ?? 0) < everyMs)
    return null;
  const blockNumber = await chain.publicClient.getBlockNumber();
  const tokens = chain.registry.tokens;
  const pairs = new Map<string, Address>();
  for (const [index, tokenIn] of tokens.entries()) {
    for (const tokenOut of tokens.slice(index + 1)) {
      try {
        const quote = await quoteSwap(chain, {
          tokenIn: tokenIn.symbol,
          tokenOut: tokenOut.symbol,
          amountIn: 10n ** BigInt(tokenIn.decimals),
          blockNumber,
        });
        for (const pair of quote.pairs) pairs.set(pair.toLowerCase(), pair);
      } catch (error) {
        // No pool between them (or the same pool token, CRO and WCRO): nothing to observe. Any
        // other failure skips this route only; the pairs found still get their observation.
        if (!isErrorNamed(error, "NoRouteError"))
          log.warn("pool observation skipped a route", {
            route: `${tokenIn.symbol}/${tokenOut.symbol}`,
            error,
          });
      }
    }
  }
  for (const pair of pairs.values()) {
    await recordPairObservation(
      db,
      chain.network,
      await readPairCumulatives(chain, { pair, blockNumber }),
    );
  }
  // Observations are chain time; none older than the longest window is read again.
  const block = await chain.publicClient.getBlock({ blockNumber });
  await db
    .deleteFrom("pool_observations")
    .where("network", "=", chain.network)
    .where(
      "observed_at",
      "<",
      new Date((Number(block.timestamp) - OBSERVATION_KEEP_SECONDS) * 1000),
    )
    .execute();
  lastObservedAt.set(chain.network, now.getTime());
  return pairs.size;
}
