import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import type { QuoteSwapReturnType } from "../quoteSwap.js";
import { describePriceGap } from "./describePriceGap.js";
import { measurePriceGap, type PriceGap } from "./measurePriceGap.js";

/**
 * The swap guard's one rule, for the planner and for the step right before it signs: a quote
 * below the floor its route's average gives (the pool pays more than `maxGapBps` below its recent
 * average) is refused, with the reason. `gap` is null when the guard is off (`averageMinutes` 0)
 * or there is no average yet.
 */
export async function checkSwapPrice(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: { quote: QuoteSwapReturnType; averageMinutes: number; maxGapBps: number },
): Promise<{ gap: PriceGap | null; refusal?: string }> {
  const { quote } = parameters;
  if (parameters.averageMinutes <= 0) return { gap: null };
  const quotedAmountOut = BigInt(quote.amountOut);
  const gap = await measurePriceGap(context, db, {
    pairs: quote.pairs,
    path: quote.path,
    blockNumber: BigInt(quote.blockNumber),
    quotedAmountOut,
    averageMinutes: parameters.averageMinutes,
    maxGapBps: parameters.maxGapBps,
  });
  if (!gap || quotedAmountOut >= gap.floor) return { gap };
  return { gap, refusal: describePriceGap(quote, gap, parameters) };
}
