import { z } from "zod";
import { baseUnits, tokenSymbol } from "../fields.js";

/** Selling every share the wallet holds of one outcome back to the market maker. */
export const SellSharesAction = z
  .object({
    type: z.literal("sellShares"),
    market: z
      .string()
      .min(1)
      .max(100)
      .describe('Short market name, as GET /api/markets lists it ("cro-above-0.10-dec31")'),
    outcome: z.string().min(1).max(100).describe('Outcome sold, as the market labels it ("Yes")'),
    token: tokenSymbol.describe("Collateral token the sale pays in"),
    slippageBps: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .describe("Tolerated shortfall in collateral against the quote, in basis points"),
    shares: baseUnits
      .optional()
      .describe("Shares held at planning time; the sale sells what the wallet holds when it runs"),
    quotedReturn: baseUnits
      .optional()
      .describe("Collateral the shares fetched at planning time, in base units"),
  })
  .describe("Sell all shares of one outcome of a prediction market for collateral");
export type SellSharesAction = z.infer<typeof SellSharesAction>;
