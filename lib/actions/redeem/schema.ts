import { z } from "zod";
import { baseUnits, tokenSymbol } from "../fields.js";

/** Redeeming every position the wallet holds in a resolved market for collateral. */
export const RedeemAction = z
  .object({
    type: z.literal("redeem"),
    market: z
      .string()
      .min(1)
      .max(100)
      .describe('Short market name, as GET /api/markets lists it ("cro-above-0.10-dec31")'),
    token: tokenSymbol.describe("Collateral token the redemption pays in"),
    expectedPayout: baseUnits
      .optional()
      .describe("What the positions redeemed for at planning time, in base units"),
  })
  .describe("Redeem a resolved prediction market's positions for collateral");
export type RedeemAction = z.infer<typeof RedeemAction>;
