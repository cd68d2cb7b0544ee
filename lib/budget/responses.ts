import { z } from "zod";

/** One ledger line in base units of `token` (lower-case symbol or "USD"). */
export const budgetLineBase = z.object({
  token: z.string(),
  budget: z.string().nullable().describe("Base units; null without a limit in this token"),
  spent: z.string().describe("Base units"),
  reserved: z.string().describe("Base units"),
  remaining: z.string().nullable().describe("Base units"),
});

/** Today's allowance in base units. */
export const dailyAllowanceBase = z.object({
  sessionId: z.string(),
  day: z.string(),
  token: z.string(),
  limit: z.string(),
  spent: z.string(),
  reserved: z.string(),
  remaining: z.string(),
  resetsAt: z.string(),
});

/** A session's budget status in base units (the desk's read model converts with each token's decimals). */
export const budgetStatusBase = z.object({
  sessionId: z.string(),
  budget: budgetLineBase.nullable(),
  tokens: z.array(budgetLineBase),
  daily: dailyAllowanceBase.nullable(),
});

/** GET /api/wallet/allowance: today's allowance of a session (base units) with its formatted figures. */
export const dailyAllowanceResponse = z.object({
  sessionId: z.string(),
  allowance: dailyAllowanceBase
    .extend({
      formatted: z.object({
        limit: z.string(),
        spent: z.string(),
        reserved: z.string(),
        remaining: z.string(),
      }),
    })
    .nullable()
    .describe("null without a daily limit"),
});
