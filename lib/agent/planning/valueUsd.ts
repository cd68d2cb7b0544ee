import type { PriceSide } from "../../policy/amounts.js";
import { parseUsd, USD_DECIMALS } from "../decimal.js";
import { PlanError } from "../errors.js";
import type { PlannerContext } from "../planner.js";
import { STABLECOINS } from "../tokens.js";
import { tokenOf } from "./tokens.js";

/**
 * The USD value (fixed-point, 18 decimals) of an amount; stablecoins at $1, undefined without a
 * price. `side` "limit" for the size of a budget held in the token (PlannerContext.priceUsd).
 */
export async function valueUsd(
  ctx: PlannerContext,
  symbol: string,
  amount: bigint,
  side: PriceSide = "spend",
): Promise<bigint | undefined> {
  const token = tokenOf(ctx, symbol);
  if (STABLECOINS.has(token.symbol.toUpperCase())) {
    return amount * 10n ** BigInt(USD_DECIMALS - token.decimals);
  }
  const price = await ctx.priceUsd(token.symbol, amount.toString(), side);
  if (price === undefined) return undefined;
  try {
    return parseUsd(price);
  } catch (error) {
    throw new PlanError(`The price feed returned an invalid USD value for ${symbol}`, {
      cause: error,
    });
  }
}
