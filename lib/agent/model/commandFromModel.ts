import { ModelInterpretationError } from "../errors.js";
import { toBaseUnits, toUsd } from "../grammar/readAmount.js";
import { type Budget, Command, type Intent } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import type { ModelCommand } from "./modelCommand.js";

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
