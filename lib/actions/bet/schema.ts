import { z } from "zod";
import { baseUnits, tokenSymbol } from "../fields.js";

/** Buying outcome shares of a prediction market (Gnosis FPMM) with an exact amount of collateral. */
export const BetAction = z
  .object({
    type: z.literal("bet"),
    market: z
      .string()
      .min(1)
      .max(100)
      .describe('Short market name, as GET /api/markets lists it ("cro-above-0.10-dec31")'),
    outcome: z.string().min(1).max(100).describe('Outcome bought, as the market labels it ("Yes")'),
    token: tokenSymbol.describe("Collateral token the market trades in"),
    amount: baseUnits.describe("Collateral spent, in base units (the market maker's fee included)"),
    slippageBps: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .describe("Tolerated shortfall in shares against the quote, in basis points"),
    expectedShares: baseUnits
      .optional()
      .describe("Shares the quote (calcBuyAmount) promised at planning time"),
    minShares: baseUnits
      .optional()
      .describe("Least shares accepted: the planning quote less slippage"),
  })
  .describe("Bet on an outcome of a prediction market: buy its shares with collateral");
export type BetAction = z.infer<typeof BetAction>;
