import { microsToUsd } from "../budget/units.js";
import type { PriceSide, PriceUsd } from "../policy/amounts.js";

/**
 * The decimal USD value a limit counts an amount at, through a held pricer (chainPricer: the window
 * of pool prices, so a pool pushed for a moment cannot shrink a spend): session budgets and daily
 * limits, the planner's approval threshold and budget checks. `side` as in PriceSide: "spend" for
 * what an action moves, "limit" for the size of a limit held in a token. Undefined when the token
 * has no price (a USD limit then refuses as unpriced); an RPC or database failure throws, so the
 * step retries instead.
 */
export async function heldUsdValue(
  price: PriceUsd,
  token: string,
  amount: bigint | string,
  side: PriceSide = "spend",
): Promise<string | undefined> {
  const micros = await price(token, BigInt(amount), side);
  return micros === null ? undefined : microsToUsd(micros);
}
