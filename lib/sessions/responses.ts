import { z } from "zod";
import { amountView } from "../amounts/schemas.js";
import { budgetLineBase, budgetStatusBase, dailyAllowanceResponse } from "../budget/responses.js";

/** A session as the API answers it; its limits in the amount response form. */
export const sessionResponse = z
  .object({
    id: z.string(),
    status: z.enum(["active", "closed"]),
    budget: amountView.nullable().describe("Total the session may spend"),
    dailyLimit: amountView.nullable().describe("What the session may spend per UTC day"),
    approvalThresholdUsd: z
      .string()
      .nullable()
      .describe(
        'Approval threshold in US dollars, a plain decimal ("10", "2.5"); null when the session sets none',
      ),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .catchall(z.unknown());
export type SessionResponse = z.input<typeof sessionResponse>;

const formattedLine = z.object({
  budget: z.string().nullable(),
  spent: z.string(),
  reserved: z.string(),
  remaining: z.string().nullable(),
});

/** One ledger line: base units of `token` (lower-case symbol or "USD"), and the same formatted. */
const budgetLine = budgetLineBase.extend({ formatted: formattedLine });

/** GET /api/agent/sessions/{id}: the session with its live budget. */
export const sessionWithBudgetResponse = sessionResponse.extend({
  budgetStatus: budgetStatusBase.extend({
    budget: budgetLine.nullable(),
    tokens: z.array(budgetLine),
    daily: dailyAllowanceResponse.shape.allowance,
  }),
});
export type SessionWithBudgetResponse = z.input<typeof sessionWithBudgetResponse>;

/** GET /api/agent/sessions. */
export const sessionPage = z.object({
  sessions: z.array(sessionResponse),
  nextCursor: z.string().nullable(),
});

/** DELETE /api/agent/sessions/{id}. */
export const closedSessionResponse = z.object({
  id: z.string(),
  status: z.literal("closed"),
  cancelledRuns: z.array(z.string()).describe("Runs the close cancelled"),
});
