import type { Kysely } from "kysely";
import type { ChainContext } from "../../chain/clients.js";
import { priceUsd } from "../../chain/priceUsd.js";
import { requireToken } from "../../chain/registry.js";
import type { Database } from "../../db/database.js";
import { markPrice, type PriceRange } from "./markPrice.js";

/**
 * Prices are kept per whole token, in micro-dollars × 10¹²: priceUsd truncates to micro-dollars,
 * and a token worth a fraction of a micro-dollar (or one whose amounts are tiny) keeps its value.
 */
export const PRICE_SCALE = 10n ** 12n;

/**
 * The token's price now (micro-dollars per whole token × PRICE_SCALE) and, for a pool-priced token,
 * the range of the window with it, recording it in this hour's mark (markPrice). A pegged token,
 * or no database, is its price now.
 */
export async function readPriceRange(
  context: ChainContext,
  db: Kysely<Database> | null,
  parameters: { token: string; windowHours: number; now: Date },
): Promise<PriceRange & { decimals: number }> {
  const token = requireToken(context.network, parameters.token);
  const priced = await priceUsd(context, {
    token: token.symbol,
    amount: 10n ** BigInt(token.decimals) * PRICE_SCALE,
  });
  const price = BigInt(priced.usdMicros);
  if (priced.source === "peg" || !db || parameters.windowHours === 0) {
    return { high: price, low: price, decimals: token.decimals };
  }
  const range = await markPrice(db, {
    network: context.network,
    token: token.symbol,
    price,
    windowHours: parameters.windowHours,
    now: parameters.now,
  });
  return { ...range, decimals: token.decimals };
}
