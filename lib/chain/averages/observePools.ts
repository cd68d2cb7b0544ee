import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/database.js";
import { isErrorNamed } from "../../errors/index.js";
import type { ChainContext } from "../clients.js";
import { quoteSwap } from "../quoteSwap.js";
import { OBSERVATION_MAX_AGE_SECONDS } from "./measurePriceGap.js";
import { readPairCumulatives } from "./readPairCumulatives.js";
import { recordPairObservation } from "./recordPairObservation.js";

/** Process-wide: when the pools were last observed (the background checks run every few seconds). */
let lastObservedAt = 0;

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
  if (everyMs > 0 && now.getTime() - lastObservedAt < everyMs) return null;
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
        // No pool between them (or the same pool token, CRO and WCRO): nothing to observe.
        if (!isErrorNamed(error, "NoRouteError")) throw error;
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
  // Kept an hour past the oldest an average may start from; observations are chain time.
  const block = await chain.publicClient.getBlock({ blockNumber });
  await db
    .deleteFrom("pool_observations")
    .where("network", "=", chain.network)
    .where(
      "observed_at",
      "<",
      new Date((Number(block.timestamp) - OBSERVATION_MAX_AGE_SECONDS - 3600) * 1000),
    )
    .execute();
  lastObservedAt = now.getTime();
  return pairs.size;
}
