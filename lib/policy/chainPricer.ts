import type { Kysely } from "kysely";
import type { ChainContext } from "../chain/clients.js";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { isErrorNamed } from "../errors/index.js";
import { divideUp, type PriceSide, type PriceUsd } from "./amounts.js";
import type { PriceRange } from "./prices/markPrice.js";
import { PRICE_SCALE, readPriceRange } from "./prices/readPriceRange.js";

export interface ChainPricerOptions {
  /** Hours of marks a price is held to (default POLICY_PRICE_WINDOW_HOURS); 0: the pool's price now. */
  windowHours?: number;
  /** The clock of the marks (tests). */
  now?: () => Date;
}

/**
 * The pricer of policy checks: stablecoins 1:1, everything else at its VVS pool, held to the
 * prices the pool showed in the current hour and the `windowHours` before it (lib/policy/prices).
 * A spend is valued at the window's HIGH and a limit's token at its LOW, so pushing a pool for a
 * moment (a large swap, a flash loan) can only make a check stricter, never let a spend pass as
 * smaller than it was: against a price held down to pass a larger spend, the window remembers the
 * price before. A pricing outside any transaction records the pool's price in this hour's mark;
 * the background checks record them too (samplePrices), so the window holds prices from before
 * an agent's first spend.
 *
 * A token with no peg and no pool is unpriced (null), which refuses any action whose limits need
 * its USD value; RPC failures still throw (transient). Values are rounded toward the strict side.
 * One pricer reads each token's price once: make one per evaluation.
 */
export function chainPricer(
  context: ChainContext,
  /** Where the marks are kept; null: the pool's price now, nothing held (tests of valuation alone). */
  db: Kysely<Database> | null,
  options: ChainPricerOptions = {},
): PriceUsd {
  const windowHours = options.windowHours ?? getConfig().POLICY_PRICE_WINDOW_HOURS;
  const ranges = new Map<string, Promise<PriceRange & { decimals: number }>>();
  const rangeOf = (token: string) => {
    let range = ranges.get(token);
    if (!range) {
      range = readPriceRange(context, db, {
        token,
        windowHours,
        now: options.now?.() ?? new Date(),
      });
      ranges.set(token, range);
    }
    return range;
  };
  return async (token: string, amount: bigint, side: PriceSide = "spend") => {
    try {
      const range = await rangeOf(token.toUpperCase());
      const whole = 10n ** BigInt(range.decimals) * PRICE_SCALE;
      return side === "spend" ? divideUp(amount * range.high, whole) : (amount * range.low) / whole;
    } catch (error) {
      if (isErrorNamed(error, "PriceUnavailableError") || isErrorNamed(error, "UnknownTokenError"))
        return null;
      throw error;
    }
  };
}
