import { z } from "zod";

/**
 * Model-facing schema: decimal amounts and symbols exactly as the user wrote them. Fields are
 * nullable rather than optional because strict structured-output modes require every key.
 */
const decimal = z
  .string()
  .describe('Decimal amount exactly as the user wrote it, e.g. "0.10" (never scientific notation)');
const symbolField = z.string().describe("Token symbol from the known token list, e.g. CRO or USDC");

const ModelStep = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("balance"),
    tokens: z.array(symbolField).describe("Symbols asked about; empty for all"),
    address: z
      .string()
      .nullable()
      .describe("0x address whose balance is asked, or null for the agent's wallet"),
  }),
  z.object({
    kind: z.literal("transfer"),
    token: symbolField,
    amount: decimal,
    toAddress: z
      .string()
      .nullable()
      .describe("Recipient 0x address, if the recipient is an address"),
    toService: z
      .string()
      .nullable()
      .describe("Recipient service name, if the recipient is a named service"),
    toUrl: z.string().nullable().describe("Recipient URL, if the recipient is a URL"),
  }),
  z.object({
    kind: z.literal("pay"),
    service: z
      .string()
      .nullable()
      .describe(
        "Service name to pay; null with url or when paying a service found by a previous discover step",
      ),
    url: z.string().nullable().describe("URL of the paid resource, if given"),
    amount: decimal.nullable().describe("Exact amount to pay, if the user said one"),
    maxAmount: decimal.nullable().describe('Most the user will pay ("up to"), if said'),
    token: symbolField.nullable(),
  }),
  z.object({
    kind: z.literal("swap"),
    tokenIn: symbolField.describe("Token sold"),
    tokenOut: symbolField.describe("Token bought"),
    amountIn: decimal.nullable().describe("Amount sold, when the user fixed the input"),
    amountOut: decimal
      .nullable()
      .describe('Amount bought, when the user fixed the output ("buy 100 USDC with CRO")'),
    slippagePercent: z.string().nullable().describe('Slippage in percent, e.g. "0.5"'),
    deadlineSeconds: z.number().int().nullable().describe("Deadline in seconds"),
  }),
  z.object({
    kind: z.literal("discover"),
    category: z.string().nullable(),
    query: z.string().nullable().describe("Descriptive words of the service sought"),
    maxPrice: decimal.nullable(),
    maxPriceToken: symbolField.nullable(),
    minReputation: z.number().nullable().describe("Minimum reputation 0-5"),
    mcp: z.boolean().nullable().describe("true when only MCP services are wanted"),
  }),
  z.object({
    kind: z.literal("subscribe"),
    service: z.string(),
    period: z.enum(["daily", "weekly", "monthly"]),
  }),
  z.object({ kind: z.literal("unsubscribe"), service: z.string() }),
]);

/** What the model returns for a command. */
export const ModelCommand = z.object({
  supported: z
    .boolean()
    .describe(
      "false when the request is not a payment, transfer, swap, balance, discovery or subscription command, or is too ambiguous to act on",
    ),
  reason: z.string().nullable().describe("When unsupported or ambiguous: what is missing or why"),
  steps: z.array(ModelStep).describe("Steps in order; empty when unsupported"),
  budget: z
    .object({
      amount: decimal.nullable(),
      token: symbolField.nullable(),
      usd: z.string().nullable().describe('Budget in US dollars when given as "$20"'),
    })
    .nullable()
    .describe("Spending cap for the whole command, if the user gave one"),
});
export type ModelCommand = z.infer<typeof ModelCommand>;

/** Token usage of one model call, recorded with the run. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}
