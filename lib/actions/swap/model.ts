import { z } from "zod";
import { checkSwapTokens } from "../../agent/grammar/checkSwapTokens.js";
import { toBaseUnits } from "../../agent/grammar/readAmount.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { decimal, symbolField, unusableAnswer } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a swap. */
export const SwapModelStep = z.object({
  kind: z.literal("swap"),
  tokenIn: symbolField.describe("Token sold"),
  tokenOut: symbolField.describe("Token bought"),
  amountIn: decimal.nullable().describe("Amount sold, when the user fixed the input"),
  amountOut: decimal
    .nullable()
    .describe('Amount bought, when the user fixed the output ("buy 100 USDC with CRO")'),
  slippagePercent: z.string().nullable().describe('Slippage in percent, e.g. "0.5"'),
  deadlineSeconds: z.number().int().nullable().describe("Deadline in seconds"),
});
export type SwapModelStep = z.infer<typeof SwapModelStep>;

/** The model's swap step as an intent: exactly one of input or output fixed, slippage in bps. */
export function swapFromModel(step: SwapModelStep, tokens: TokenList): IntentOf<"swap"> {
  const tokenIn = resolveToken(tokens, step.tokenIn);
  const tokenOut = resolveToken(tokens, step.tokenOut);
  // By symbol, so an alias ("cronos") is the token it names, as in the grammar.
  checkSwapTokens(tokenIn.symbol, tokenOut.symbol);
  if (Boolean(step.amountIn) === Boolean(step.amountOut)) {
    throw unusableAnswer("The model must give exactly one of the swap's input or output amount");
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
