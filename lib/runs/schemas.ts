import { getAddress } from "viem";
import { z } from "zod";
import { mcpToolCall, recipientAddress } from "../actions/fields.js";
import { amountInput, decimalText, tokenRef } from "../amounts/schemas.js";
import { budgetInput, usdAmount } from "../budget/schemas.js";
import { sessionId } from "../sessions/schemas.js";

/** A run's id. */
export const runId = z
  .string()
  .regex(/^run_[0-9a-z]{26}$/, "must be a run id (run_…)")
  .describe("Run id");

/** A plain-language command, as REST and the MCP tool take it. */
export const commandText = z
  .string()
  .trim()
  .min(1, "command must not be empty")
  .max(1000, "command must be at most 1000 characters");

/** Body of POST /api/agent/execute. */
export const executeRequest = z
  .object({
    command: commandText.describe(
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

/** Body of POST /api/wallet/transfer: a direct transfer, run under the same policy as a command. */
export const transferRequest = z
  .object({
    // Checksummed here: the chain step takes only that form or lowercase, not all-uppercase.
    to: recipientAddress.transform((value) => getAddress(value)).describe("Recipient address"),
    amount: decimalText.describe('Whole tokens to send, e.g. "5" (never base units)'),
    token: tokenRef,
    sessionId: sessionId.optional(),
  })
  .strict();

/** Body of POST /api/payments/x402: pay one x402 resource as a run. */
export const payX402Request = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .describe("The x402-protected resource to buy (http or https)"),
    maxAmount: amountInput.describe(
      'Most the payment may cost, in whole tokens of the token paid: {"amount": "0.10", "token": "USDC"}',
    ),
    sessionId: sessionId.optional().describe("Session to charge; a new one when omitted"),
    tool: mcpToolCall.optional(),
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
