import { z } from "zod";

/** A decimal amount as people write it ("0.10"), converted to base units with the token's decimals. */
export const decimalAmount = z
  .string()
  .trim()
  .regex(/^\d{1,30}(\.\d{1,18})?$/, 'must be a positive decimal number such as "5" or "0.10"')
  .describe('Decimal amount in whole tokens, e.g. "0.10"');

/** A token symbol as a person names it. */
export const tokenSymbol = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9.]{0,15}$/, "must be a token symbol such as USDC or CRO")
  .describe("Token symbol, e.g. USDC or CRO");

/** A spending limit: a decimal amount of a token (or of "USD"). */
export const budgetInput = z
  .object({ amount: decimalAmount, token: tokenSymbol })
  .strict()
  .describe("A spending limit in a token");

/** US dollars as a decimal string (approval thresholds). */
export const usdAmount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, "must be a decimal number of US dollars")
  .describe("US dollars as a decimal string");

/** Query of GET /api/wallet/allowance. */
export const dailyAllowanceQuery = z.object({
  sessionId: z.string().trim().min(1).max(200).describe("Session whose daily allowance to read"),
});
