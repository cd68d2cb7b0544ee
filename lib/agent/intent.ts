import { z } from "zod";
import { evmAddress, mcpToolCall, recipientAddress as recipientField } from "../actions/fields.js";

/**
 * What a user asked for, before any pricing or routing. Amounts are base-unit integer strings
 * of the named token; tokens are symbols from the chain registry. This is the contract between
 * the grammar, the model and the planner.
 */

const baseUnits = z
  .string()
  .regex(/^\d+$/, "must be an integer amount in base units")
  .describe("Amount in the token's base units (integer string, e.g. 100000 for 0.1 USDC)");

const symbol = z.string().min(1).max(32).describe("Token symbol, e.g. CRO or USDC");

// The API's own address fields (lib/actions/fields.ts): a mistyped checksum is refused wherever an
// address comes from, and a recipient may not be the zero address, as the grammar and
// /api/wallet/transfer refuse it; a model's answer is held to the same schema.
const address = evmAddress;
const recipientAddress = recipientField.describe("Recipient EVM address (not the zero address)");

const serviceName = z.string().min(1).max(200).describe("Service name as the user wrote it");

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), "must be an http(s) URL")
  .describe("HTTP(S) URL of a paid resource");

// grammar (issue 19): a dollar figure the user said, kept beside the stablecoin amount chosen for it.
const usdFigure = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a decimal number of US dollars")
  .describe(
    'Set when the user gave dollars ("$10"): the dollar figure as said; token is the USD stablecoin chosen for it and the amount is that many of its units',
  );

/** A token amount in base units. */
export const TokenAmount = z
  .object({ amount: baseUnits, token: symbol })
  .describe("An amount of a token, in base units");
export type TokenAmount = z.infer<typeof TokenAmount>;

/** Show token balances. */
export const BalanceIntent = z
  .object({
    kind: z.literal("balance"),
    tokens: z.array(symbol).describe("Symbols to show; empty means every known token"),
    address: address.optional().describe("Whose balance; the agent wallet when absent"),
  })
  .describe("Check balances");

/** Where a transfer goes. */
export const Recipient = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("address"), address: recipientAddress }),
    z.object({ type: z.literal("service"), name: serviceName }),
    z.object({ type: z.literal("url"), url: httpUrl }),
  ])
  .describe("Recipient: an address, a registered service by name, or a URL");
export type Recipient = z.infer<typeof Recipient>;

/** Move tokens to a recipient. */
export const TransferIntent = z
  .object({
    kind: z.literal("transfer"),
    token: symbol,
    amount: baseUnits,
    to: Recipient,
    // grammar (issue 19): optional, see usdFigure
    usd: usdFigure.optional(),
  })
  .describe("Send tokens to an address, service or URL");

// grammar (issue 19): "send all my CRO to 0x…", planned by the transfer action.
/** Send a token's whole balance (minus a gas reserve for the gas token) to an address. */
export const TransferAllIntent = z
  .object({
    kind: z.literal("transferAll"),
    token: symbol,
    to: z.object({ type: z.literal("address"), address: recipientAddress }),
  })
  .describe(
    "Send the whole balance of a token, minus a gas reserve when it is the gas token; always needs approval",
  );

/** Pay a service (x402); the price may be discovered later. */
export const PayIntent = z
  .object({
    kind: z.literal("pay"),
    service: serviceName
      .optional()
      .describe("Service name; absent with url, or bound to a preceding discover step"),
    url: httpUrl.optional(),
    amount: baseUnits.optional().describe("Exact amount the user said to pay"),
    token: symbol.optional(),
    maxAmount: baseUnits.optional().describe('Upper bound the user accepts ("up to 0.5 USDC")'),
    // grammar (issue 19): optional, see usdFigure and the describe text
    usd: usdFigure.optional(),
    probe: z
      .literal(true)
      .optional()
      .describe(
        "A URL with no amount or cap: its price comes from the registry when the URL is registered, else from probing the resource's x402 price; then paid within policy (approval above the threshold)",
      ),
    tool: mcpToolCall.optional(),
  })
  .describe("Pay a paid API (x402); price discovered from the service when no amount is given");

/** Swap on the DEX, exact-in (amountIn) or exact-out (amountOut). */
export const SwapIntent = z
  .object({
    kind: z.literal("swap"),
    tokenIn: symbol.describe("Token sold"),
    tokenOut: symbol.describe("Token bought"),
    amountIn: baseUnits.optional().describe("Exact amount sold (exact-in)"),
    amountOut: baseUnits
      .optional()
      .describe('Exact amount bought (exact-out, "buy 100 USDC with CRO")'),
    slippageBps: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .optional()
      .describe("Slippage tolerance in basis points"),
    deadlineSeconds: z
      .number()
      .int()
      .positive()
      .max(86_400)
      .optional()
      .describe("Deadline in seconds"),
  })
  .describe("Swap one token for another on VVS");

// grammar (issue 19): "swap all my CRO for USDC", planned by the swap action.
/** Swap a token's whole balance (minus a gas reserve for the gas token). */
export const SwapAllIntent = z
  .object({
    kind: z.literal("swapAll"),
    tokenIn: symbol.describe("Token sold: all of it, minus a gas reserve when it is the gas token"),
    tokenOut: symbol.describe("Token bought"),
    slippageBps: SwapIntent.shape.slippageBps,
    deadlineSeconds: SwapIntent.shape.deadlineSeconds,
  })
  .describe("Swap the whole balance of a token; always needs approval");

/** Find services in the catalogue. */
export const DiscoverIntent = z
  .object({
    kind: z.literal("discover"),
    category: z.string().min(1).optional().describe("Category the user named"),
    query: z.string().min(1).optional().describe("Free-text words describing the service"),
    maxPrice: TokenAmount.optional().describe("Only services priced at or below this"),
    minReputation: z
      .number()
      .min(0)
      .max(5)
      .optional()
      .describe("Only services rated at least this (0-5)"),
    mcp: z.boolean().optional().describe("Only services exposed over MCP"),
  })
  .describe("Discover paid services");

/** Start a recurring payment to a service. */
export const SubscribeIntent = z
  .object({
    kind: z.literal("subscribe"),
    service: serviceName,
    period: z.enum(["daily", "weekly", "monthly"]).describe("Billing period"),
  })
  .describe("Subscribe to a service");

/** Stop a recurring payment. */
export const UnsubscribeIntent = z
  .object({ kind: z.literal("unsubscribe"), service: serviceName })
  .describe("Cancel a subscription");

// markets (issue 19): prediction-market intents, planned by lib/actions/{bet,sellShares,redeem}.
/** Which prediction market: its short name ("cro-above-0.10-dec31") or its question, quoted. */
export const MarketRef = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("name"),
      name: z.string().min(1).max(100).describe("Short market name, as GET /api/markets lists it"),
    }),
    z.object({
      type: z.literal("question"),
      question: z.string().min(1).max(300).describe("The market's question, as the user quoted it"),
    }),
  ])
  .describe("A prediction market by short name or by its question");
export type MarketRef = z.infer<typeof MarketRef>;

const outcome = z.enum(["yes", "no"]).describe("Outcome of a binary market");

/** Buy outcome shares of a prediction market for an exact collateral amount. */
export const BetIntent = z
  .object({
    kind: z.literal("bet"),
    market: MarketRef,
    outcome,
    amount: baseUnits.describe("Collateral to spend, in base units of token"),
    token: symbol.describe("Collateral token"),
    usd: usdFigure.optional(),
  })
  .describe('Bet on an outcome ("bet 5 USDC on yes in <market>")');

/** Sell all shares of one outcome of a prediction market. */
export const SellSharesIntent = z
  .object({ kind: z.literal("sellShares"), market: MarketRef, outcome })
  .describe('Sell every share of one outcome ("sell my yes shares in <market>")');

/** Redeem the winning shares of a resolved prediction market. */
export const RedeemIntent = z
  .object({ kind: z.literal("redeem"), market: MarketRef })
  .describe('Redeem a resolved market\'s winning shares ("redeem <market>")');

/** One step of a command. */
export const Intent = z
  .discriminatedUnion("kind", [
    BalanceIntent,
    TransferIntent,
    TransferAllIntent,
    PayIntent,
    SwapIntent,
    SwapAllIntent,
    DiscoverIntent,
    SubscribeIntent,
    UnsubscribeIntent,
    BetIntent,
    SellSharesIntent,
    RedeemIntent,
  ])
  .describe("One step of a command");
export type Intent = z.infer<typeof Intent>;
export type IntentKind = Intent["kind"];
export type BalanceIntent = z.infer<typeof BalanceIntent>;
export type TransferIntent = z.infer<typeof TransferIntent>;
export type PayIntent = z.infer<typeof PayIntent>;
export type SwapIntent = z.infer<typeof SwapIntent>;
export type DiscoverIntent = z.infer<typeof DiscoverIntent>;
export type SubscribeIntent = z.infer<typeof SubscribeIntent>;
export type UnsubscribeIntent = z.infer<typeof UnsubscribeIntent>;
export type TransferAllIntent = z.infer<typeof TransferAllIntent>;
export type SwapAllIntent = z.infer<typeof SwapAllIntent>;
export type BetIntent = z.infer<typeof BetIntent>;
export type SellSharesIntent = z.infer<typeof SellSharesIntent>;
export type RedeemIntent = z.infer<typeof RedeemIntent>;

// Every intent the grammar understands is planned (the market ones since issue 19's phase 2), so
// the grammar's names are the planner's: ParsedIntent is Intent and ParsedCommand is Command.
/** Every intent the grammar produces. */
export const ParsedIntent = Intent;
export type ParsedIntent = Intent;

/** A spending cap for a command: a token amount in base units or a decimal US-dollar amount. */
export const Budget = z
  .union([
    TokenAmount,
    z
      .object({
        usd: z
          .string()
          .regex(/^\d+(\.\d+)?$/, "must be a decimal number of US dollars")
          .describe("US dollars, decimal"),
      })
      .describe("A budget in US dollars"),
  ])
  .describe("Most the command may spend");
export type Budget = z.infer<typeof Budget>;

/**
 * Who read the command's text when it was not the grammar (absent: the grammar, or a direct
 * request). A model's reading is checked against the text when planned: a value that moves money
 * and that the text does not contain needs approval (lib/agent/planning/flagModelReading.ts).
 */
export const UnderstoodBy = z
  .literal("model")
  .describe("Set when a language model read the command: the grammar did not recognise it");
export type UnderstoodBy = z.infer<typeof UnderstoodBy>;

/** A whole command: ordered steps plus an optional budget. */
export const Command = z
  .object({
    steps: z.array(Intent).min(1).max(20).describe("Steps in the order they run"),
    budget: Budget.optional(),
    // Stored with the run's intent, so the plan step (another workflow step) still knows it.
    understoodBy: UnderstoodBy.optional(),
  })
  .describe("A parsed command");
export type Command = z.infer<typeof Command>;

/** A command as the grammar understood it: the same as Command (see ParsedIntent). */
export const ParsedCommand = Command;
export type ParsedCommand = Command;
