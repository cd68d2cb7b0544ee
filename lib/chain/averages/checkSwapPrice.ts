import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import { quoteSwap } from "../quoteSwap.js";
import { describePriceGap } from "./describePriceGap.js";
import { measurePriceGap } from "./measurePriceGap.js";

/**
 * The planner's look at a swap's pool (the step looks again when it sends): the refusal's reason
 * when the route pays more than `maxGapBps` below its average, else undefined. So a person is not
 * asked to approve a swap into a pushed pool that its step would refuse.
 */
export async function checkSwapPrice(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: {
    tokenIn: string;
    tokenOut: string;
    amountIn: bigint;
    averageMinutes: number;
    maxGapBps: number;
  },
): Promise<string | undefined> {
  if (parameters.averageMinutes <= 0) return undefined;
  const quote = await quoteSwap(context, parameters);
  const quotedAmountOut = BigInt(quote.amountOut);
  const gap = await measurePriceGap(context, db, {
    pairs: quote.pairs,
    path: quote.path,
    blockNumber: BigInt(quote.blockNumber),
    quotedAmountOut,
    averageMinutes: parameters.averageMinutes,
    maxGapBps: parameters.maxGapBps,
  });
  if (!gap || quotedAmountOut >= gap.floor) return undefined;
  return describePriceGap(quote, gap, parameters);
}
