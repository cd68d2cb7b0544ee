import { z } from "zod";
import { Budget } from "./intent.js";

/**
 * What the workflow will execute: concrete actions with resolved services, quoted swaps and
 * per-action approval flags. Amounts are base-unit integer strings.
 */

const baseUnits = z.string().regex(/^\d+$/).describe("Integer amount in base units");
const symbol = z.string().min(1).describe("Token symbol");
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .describe("EVM address");

/** Read balances (run before spending so the workflow can stop early). */
export const BalanceAction = z.object({
  type: z.literal("balance"),
  tokens: z.array(symbol).describe("Symbols to read; empty means all known tokens"),
  address: address.optional().describe("Whose balance; the agent wallet when absent"),
});

/** Plain ERC-20 / native transfer. */
export const TransferAction = z.object({
  type: z.literal("transfer"),
  token: symbol,
  amount: baseUnits,
  to: address,
});

/** Exact-in swap on VVS. */
export const SwapAction = z.object({
  type: z.literal("swap"),
  tokenIn: symbol,
  tokenOut: symbol,
  amountIn: baseUnits.describe("Exact amount sold"),
  minAmountOut: baseUnits
    .optional()
    .describe("Least accepted output (quote minus slippage, or the exact-out target)"),
  quotedAmountOut: baseUnits.optional().describe("Output the quote promised at planning time"),
  slippageBps: z.number().int().min(0).max(5000).describe("Slippage tolerance in basis points"),
  deadlineSeconds: z.number().int().positive().describe("Seconds until the swap expires"),
});

/** x402 payment of a resource. */
export const PayAction = z.object({
  type: z.literal("pay"),
  url: z.string().url().describe("Resource URL to request and pay"),
  serviceId: z.string().optional().describe("Catalogue id when the URL belongs to a known service"),
  token: symbol,
  maxAmount: baseUnits.describe("Most the payment may cost"),
  amountFromStep: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Index of the swap whose output funds this payment"),
});

/** Catalogue search (recorded so the run shows how a service was chosen). */
export const DiscoverAction = z.object({
  type: z.literal("discover"),
  filter: z.object({
    category: z.string().optional(),
    query: z.string().optional(),
    maxPrice: z.object({ amount: baseUnits, token: symbol }).optional(),
    minReputation: z.number().optional(),
    mcp: z.boolean().optional(),
  }),
});

/** Start a subscription to a catalogue service. */
export const SubscribeAction = z.object({
  type: z.literal("subscribe"),
  serviceId: z.string(),
  period: z.enum(["daily", "weekly", "monthly"]),
});

/** Cancel a subscription. */
export const UnsubscribeAction = z.object({
  type: z.literal("unsubscribe"),
  serviceId: z.string(),
});

/** One executable action. */
export const Action = z.discriminatedUnion("type", [
  BalanceAction,
  TransferAction,
  SwapAction,
  PayAction,
  DiscoverAction,
  SubscribeAction,
  UnsubscribeAction,
]);
export type Action = z.infer<typeof Action>;
export type ActionType = Action["type"];
export type SwapAction = z.infer<typeof SwapAction>;
export type PayAction = z.infer<typeof PayAction>;
export type DiscoverFilter = z.infer<typeof DiscoverAction>["filter"];

/** An action with its position, approval flag and the dollar value that decided it. */
export const PlannedAction = z.object({
  index: z.number().int().min(0),
  action: Action,
  requiresApproval: z.boolean(),
  usdValue: z.string().optional().describe("Decimal US-dollar value of what the action spends"),
  reason: z.string().optional().describe("Why the action is there or why it needs approval"),
});
export type PlannedAction = z.infer<typeof PlannedAction>;

/** The executable plan for a command. */
export const Plan = z.object({
  actions: z.array(PlannedAction),
  budget: Budget.optional(),
  explanation: z.array(z.string()).describe("Human-readable lines explaining choices"),
});
export type Plan = z.infer<typeof Plan>;
