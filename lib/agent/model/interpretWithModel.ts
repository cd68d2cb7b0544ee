import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import {
  createGateway,
  generateText,
  type LanguageModel,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  Output,
} from "ai";
import { z } from "zod";
import type { Config } from "../config.js";
import { CommandParseError, ModelInterpretationError } from "./errors.js";
import { toBaseUnits, toUsd } from "./grammar/readAmount.js";
import { type Budget, Command, type Intent } from "./intent.js";
import { resolveToken, type TokenList } from "./tokens.js";

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

/** Parameters of interpretWithModel. */
export interface InterpretWithModelParameters {
  text: string;
  tokens: TokenList;
  model: LanguageModel;
  abortSignal?: AbortSignal;
}

function instructions(tokens: TokenList): string {
  const list = tokens
    .map(
      (t) =>
        `${t.symbol} (${t.decimals} decimals${t.aliases?.length ? `; also called ${t.aliases.join(", ")}` : ""})`,
    )
    .join("; ");
  return [
    "You convert a user's command for a crypto payment agent on Cronos into structured steps.",
    `Known tokens: ${list}. Use only these symbols.`,
    "Copy amounts exactly as written as decimal strings; never convert units or invent amounts, recipients or tokens.",
    "If anything needed is missing or ambiguous, or the request is not a payment, transfer, swap, balance check, service search or subscription, set supported=false and explain in reason.",
    "Steps keep the user's order. A '$' budget goes in budget.usd.",
  ].join("\n");
}

function refuse(message: string, refused: boolean, details?: string): ModelInterpretationError {
  return new ModelInterpretationError(message, { refused, details });
}

function nonNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function toIntent(step: ModelCommand["steps"][number], tokens: TokenList): Intent {
  switch (step.kind) {
    case "balance":
      return {
        kind: "balance",
        tokens: step.tokens.map((symbol) => resolveToken(tokens, symbol).symbol),
        ...(step.address ? { address: step.address } : {}),
      };
    case "transfer": {
      const token = resolveToken(tokens, step.token);
      const targets = [step.toAddress, step.toService, step.toUrl].filter((v) => v);
      if (targets.length !== 1) throw refuse("The model did not name exactly one recipient", false);
      return {
        kind: "transfer",
        token: token.symbol,
        amount: toBaseUnits(step.amount, token),
        to: step.toAddress
          ? { type: "address", address: step.toAddress }
          : step.toService
            ? { type: "service", name: step.toService }
            : { type: "url", url: step.toUrl! },
      };
    }
    case "pay": {
      const token = step.token ? resolveToken(tokens, step.token) : undefined;
      if ((step.amount || step.maxAmount) && !token)
        throw refuse("The model gave a payment amount without a token", false);
      return {
        kind: "pay",
        ...(step.service ? { service: step.service } : {}),
        ...(step.url ? { url: step.url } : {}),
        ...(token ? { token: token.symbol } : {}),
        ...(step.amount && token ? { amount: toBaseUnits(step.amount, token) } : {}),
        ...(step.maxAmount && token ? { maxAmount: toBaseUnits(step.maxAmount, token) } : {}),
      };
    }
    case "swap": {
      const tokenIn = resolveToken(tokens, step.tokenIn);
      const tokenOut = resolveToken(tokens, step.tokenOut);
      if (Boolean(step.amountIn) === Boolean(step.amountOut)) {
        throw refuse("The model must give exactly one of the swap's input or output amount", false);
      }
      let slippageBps: number | undefined;
      if (step.slippagePercent) {
        const units = toBaseUnits(
          step.slippagePercent,
          { symbol: "%", decimals: 2 },
          { allowZero: true },
        );
        slippageBps = Number(units);
      }
      return {
        kind: "swap",
        tokenIn: tokenIn.symbol,
        tokenOut: tokenOut.symbol,
        ...(step.amountIn ? { amountIn: toBaseUnits(step.amountIn, tokenIn) } : {}),
        ...(step.amountOut ? { amountOut: toBaseUnits(step.amountOut, tokenOut) } : {}),
        ...(slippageBps !== undefined ? { slippageBps } : {}),
        ...(step.deadlineSeconds ? { deadlineSeconds: step.deadlineSeconds } : {}),
      };
    }
    case "discover": {
      const priceToken = step.maxPriceToken ? resolveToken(tokens, step.maxPriceToken) : undefined;
      if (step.maxPrice && !priceToken)
        throw refuse("The model gave a price limit without a token", false);
      return {
        kind: "discover",
        ...(step.category ? { category: step.category } : {}),
        ...(step.query ? { query: step.query } : {}),
        ...(step.maxPrice && priceToken
          ? {
              maxPrice: {
                amount: toBaseUnits(step.maxPrice, priceToken, { allowZero: true }),
                token: priceToken.symbol,
              },
            }
          : {}),
        ...(nonNull(step.minReputation) !== undefined
          ? { minReputation: step.minReputation! }
          : {}),
        ...(step.mcp ? { mcp: true } : {}),
      };
    }
    case "subscribe":
      return { kind: "subscribe", service: step.service, period: step.period };
    case "unsubscribe":
      return { kind: "unsubscribe", service: step.service };
  }
}

function toBudget(budget: ModelCommand["budget"], tokens: TokenList): Budget | undefined {
  if (!budget) return undefined;
  if (budget.usd) return { usd: toUsd(budget.usd) };
  if (budget.amount && budget.token) {
    const token = resolveToken(tokens, budget.token);
    return { amount: toBaseUnits(budget.amount, token), token: token.symbol };
  }
  if (budget.amount || budget.token) throw refuse("The model gave an incomplete budget", false);
  return undefined;
}

/** Converts and validates a model answer into the same Command the grammar produces. */
export function commandFromModel(output: ModelCommand, tokens: TokenList): Command {
  if (!output.supported) {
    throw refuse(
      output.reason
        ? `Not understood: ${output.reason}`
        : "The request is not something Paygent can do",
      true,
    );
  }
  if (output.steps.length === 0) throw refuse("The model returned no steps", false);
  const budget = toBudget(output.budget, tokens);
  const candidate = {
    steps: output.steps.map((step) => toIntent(step, tokens)),
    ...(budget ? { budget } : {}),
  };
  const parsed = Command.safeParse(candidate);
  if (!parsed.success) {
    throw refuse(
      "The model's answer is not a valid command",
      false,
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

function callModel(
  model: LanguageModel,
  tokens: TokenList,
  text: string,
  abortSignal?: AbortSignal,
) {
  return generateText({
    model,
    output: Output.object({
      schema: ModelCommand,
      name: "command",
      description: "The parsed command",
    }),
    system: instructions(tokens),
    prompt: text,
    temperature: 0,
    maxRetries: 1,
    abortSignal,
  });
}

/**
 * Asks a language model to interpret a command the grammar could not parse, using structured
 * output against ModelCommand, then converts it to a Command. Refusals and invalid output throw
 * ModelInterpretationError; unknown tokens throw CommandParseError like the grammar does.
 */
export async function interpretWithModel(
  parameters: InterpretWithModelParameters,
): Promise<{ command: Command; usage: ModelUsage }> {
  const { text, tokens, model, abortSignal } = parameters;
  let result: Awaited<ReturnType<typeof callModel>>;
  try {
    result = await callModel(model, tokens, text, abortSignal);
  } catch (error) {
    if (NoObjectGeneratedError.isInstance(error)) {
      // The model answered, but not with JSON matching the schema.
      const invalid = new ModelInterpretationError("The language model returned no valid command", {
        refused: error.finishReason === "content-filter",
        cause: error,
        details: error.text?.slice(0, 500),
      });
      invalid.usage = {
        inputTokens: error.usage?.inputTokens ?? 0,
        outputTokens: error.usage?.outputTokens ?? 0,
      };
      throw invalid;
    }
    throw new ModelInterpretationError("The language model could not be reached", { cause: error });
  }
  const usage: ModelUsage = {
    inputTokens: result.usage.inputTokens ?? 0,
    outputTokens: result.usage.outputTokens ?? 0,
  };
  if (result.finishReason === "content-filter") {
    throw new ModelInterpretationError("The language model refused the request", { refused: true });
  }
  let output: ModelCommand;
  try {
    output = result.output;
  } catch (error) {
    if (NoOutputGeneratedError.isInstance(error) || error instanceof Error) {
      throw new ModelInterpretationError("The language model returned no valid command", {
        cause: error,
        details: result.text.slice(0, 500),
      });
    }
    throw error;
  }
  try {
    return { command: commandFromModel(output, tokens), usage };
  } catch (error) {
    if (error instanceof ModelInterpretationError || error instanceof CommandParseError) {
      // The tokens were spent even though the answer was unusable; the run still records them.
      (error as { usage?: ModelUsage }).usage = usage;
    }
    throw error;
  }
}

/**
 * The language model configured by the environment, or undefined when none is: the AI Gateway
 * ("provider/model" ids), else OpenAI, else Anthropic. AI_MODEL picks the model.
 */
export function createLanguageModel(
  config: Pick<Config, "AI_GATEWAY_API_KEY" | "OPENAI_API_KEY" | "ANTHROPIC_API_KEY" | "AI_MODEL">,
): LanguageModel | undefined {
  const modelId = config.AI_MODEL;
  const bare = modelId.includes("/") ? modelId.slice(modelId.indexOf("/") + 1) : modelId;
  if (config.AI_GATEWAY_API_KEY)
    return createGateway({ apiKey: config.AI_GATEWAY_API_KEY })(modelId);
  // A direct provider key with another provider's model id falls back to that provider's small model.
  if (config.OPENAI_API_KEY) {
    const id = modelId.startsWith("openai/") || !modelId.includes("/") ? bare : "gpt-4o-mini";
    return createOpenAI({ apiKey: config.OPENAI_API_KEY })(id);
  }
  if (config.ANTHROPIC_API_KEY) {
    const id =
      modelId.startsWith("anthropic/") || !modelId.includes("/") ? bare : "claude-haiku-4-5";
    return createAnthropic({ apiKey: config.ANTHROPIC_API_KEY })(id);
  }
  return undefined;
}
