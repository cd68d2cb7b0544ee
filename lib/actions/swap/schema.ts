import { z } from "zod";
import { baseUnits, tokenSymbol, wholeBalance } from "../fields.js";

/** An exact-in swap on the network's DEX (VVS Finance on Cronos). */
export const SwapAction = z
  .object({
    type: z.literal("swap"),
    tokenIn: tokenSymbol.describe("Token sold"),
    tokenOut: tokenSymbol.describe("Token bought"),
    amountIn: baseUnits.describe("Exact amount sold, in base units of tokenIn"),
    minAmountOut: baseUnits
      .optional()
      .describe("Least accepted output (quote minus slippage, or the exact-out target)"),
    quotedAmountOut: baseUnits.optional().describe("Output the quote promised at planning time"),
    slippageBps: z.number().int().min(0).max(5000).describe("Slippage tolerance in basis points"),
    deadlineSeconds: z.number().int().positive().describe("Seconds until the swap expires"),
    all: wholeBalance.optional(),
  })
  .describe("Swap one token for another on the DEX");
export type SwapAction = z.infer<typeof SwapAction>;
