import { z } from "zod";

/** Request and answer shapes of the prediction-market routes (api/markets, api/wallet/positions). */

/** Query of GET /api/markets. */
export const listMarketsQuery = z.object({
  status: z.enum(["open", "resolved"]).optional().describe("Only markets in this status"),
});

/** A market as a path parameter: short name, market maker address or condition id. */
export const marketIdParam = z
  .string()
  .min(1)
  .max(100)
  .describe('Short name ("cro-above-0.10-dec31"), market maker address or condition id');

const baseUnits = z.string().describe("Integer amount in the collateral's base units");

/** One outcome of a market. */
export const marketOutcomeSchema = z.object({
  index: z.number().int(),
  label: z.string().describe('Outcome label, e.g. "Yes"'),
  price: baseUnits
    .nullable()
    .describe("Marginal price of one whole share (collateral base units); null while unfunded"),
  probability: z.string().nullable().describe('The price as a probability, e.g. "0.4000"'),
  poolBalance: baseUnits.describe("The market maker's balance of this outcome (share units)"),
  payout: baseUnits.nullable().describe("After resolution: what one whole share redeems for"),
});

/** A prediction market as GET /api/markets and /api/markets/{id} answer it. */
export const marketSchema = z.object({
  id: z.string().describe("The market maker's address"),
  name: z.string().describe("Short name commands use, e.g. cro-above-0.10-dec31"),
  question: z.string(),
  status: z.enum(["open", "resolved"]),
  closesAt: z.string(),
  outcomes: z.array(marketOutcomeSchema),
  collateral: z.object({ symbol: z.string(), address: z.string(), decimals: z.number().int() }),
  liquidity: baseUnits.describe("The pool's outcome shares valued at current prices"),
  feeBps: z.number().int().describe("Trading fee in basis points"),
  conditionId: z.string(),
  questionId: z.string(),
  oracle: z.string(),
  resolution: z
    .object({ payoutNumerators: z.array(z.string()), payoutDenominator: z.string() })
    .nullable(),
  blockNumber: z.string(),
});

/** Answer of GET /api/markets. */
export const marketListSchema = z.object({
  network: z.string(),
  chainId: z.number().int(),
  markets: z.array(marketSchema),
});

/** Answer of GET /api/wallet/positions. */
export const positionsSchema = z.object({
  network: z.string(),
  chainId: z.number().int(),
  owner: z.string(),
  positions: z.array(
    z.object({
      market: z.string(),
      id: z.string(),
      question: z.string(),
      status: z.enum(["open", "resolved"]),
      collateral: z.string(),
      outcomes: z.array(
        z.object({
          index: z.number().int(),
          outcome: z.string(),
          shares: z
            .string()
            .describe("Outcome shares held (share units; same decimals as the collateral)"),
          price: baseUnits.nullable(),
          value: baseUnits,
        }),
      ),
      value: baseUnits.describe(
        "Open: the shares at current marginal prices (a sale gets less); resolved: the payout",
      ),
      redeemable: baseUnits.nullable(),
    }),
  ),
  totals: z.array(z.object({ collateral: z.string(), value: baseUnits, redeemable: baseUnits })),
  blockNumber: z.string(),
});
