import { z } from "zod";

/** A decimal amount as people write it ("0.10"), converted to base units with the token's decimals. */
export const decimalAmount = z
  .string()
  .trim()
  .regex(/^\d{1,30}(\.\d{1,18})?$/, 'must be a positive decimal number such as "5" or "0.10"')
  .describe('Decimal amount in whole tokens, e.g. "0.10"');

export const tokenSymbol = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9.]{0,15}$/, "must be a token symbol such as USDC or CRO")
  .describe("Token symbol, e.g. USDC or CRO");

export const budgetInput = z
  .object({ amount: decimalAmount, token: tokenSymbol })
  .strict()
  .describe("A spending limit in a token");

export const sessionId = z
  .string()
  .regex(/^ses_[0-9a-z]{26}$/, "must be a session id (ses_…)")
  .describe("Agent session id");

export const runId = z
  .string()
  .regex(/^run_[0-9a-z]{26}$/, "must be a run id (run_…)")
  .describe("Run id");

export const usdAmount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, "must be a decimal number of US dollars")
  .describe("US dollars as a decimal string");

/** Body of POST /api/agent/execute. */
export const executeRequest = z
  .object({
    command: z
      .string()
      .trim()
      .min(1, "command must not be empty")
      .max(1000, "command must be at most 1000 characters")
      .describe(
        'Plain-language command, e.g. "swap 10 CRO for USDC then pay 0.10 USDC to the market data API"',
      ),
    sessionId: sessionId.optional(),
    budget: budgetInput.optional().describe("Per-command spending limit"),
    approvalThreshold: usdAmount.optional().describe("Actions above this USD value need approval"),
    approvalTimeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(30 * 24 * 60 * 60)
      .optional()
      .describe(
        "How long an approval may wait before it expires (default from APPROVAL_TIMEOUT_SECONDS)",
      ),
  })
  .strict();
export type ExecuteRequest = z.infer<typeof executeRequest>;

/** Body of POST /api/agent/sessions. */
export const createSessionRequest = z
  .object({
    budget: budgetInput.optional().describe("Total the session may spend"),
    dailyLimit: budgetInput.optional().describe("What the session may spend per UTC day"),
    approvalThreshold: usdAmount.optional(),
  })
  .strict();

export const runStatus = z.enum([
  "running",
  "waiting_approval",
  "waiting_event",
  "completed",
  "failed",
  "cancelled",
]);

/** Query of GET /api/runs. */
export const listRunsQuery = z
  .object({
    sessionId: sessionId.optional(),
    status: runStatus.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** Body of POST /api/approvals/{token}. */
export const approvalDecision = z
  .object({
    decision: z.enum(["approve", "reject", "edit"]),
    args: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Replacement action arguments for an edit"),
    comment: z.string().max(500).optional(),
  })
  .strict()
  .refine((value) => value.decision !== "edit" || value.args !== undefined, {
    message: "an edit needs args",
    path: ["args"],
  });
export type ApprovalDecision = z.infer<typeof approvalDecision>;

export const approvalToken = z
  .string()
  .regex(/^apr_[0-9a-z]{26}$/, "must be an approval token (apr_…)");

/** Query of GET /api/approvals. */
export const listApprovalsQuery = z
  .object({
    status: z
      .enum(["pending", "approved", "rejected", "edited", "expired", "cancelled"])
      .optional(),
    sessionId: sessionId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
