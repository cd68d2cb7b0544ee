import { z } from "zod";
import { toBaseUnits } from "../../agent/grammar/readAmount.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { decimal, symbolField, unusableAnswer } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a catalogue search. */
export const DiscoverModelStep = z.object({
  kind: z.literal("discover"),
  category: z.string().nullable(),
  query: z.string().nullable().describe("Descriptive words of the service sought"),
  maxPrice: decimal.nullable(),
  maxPriceToken: symbolField.nullable(),
  minReputation: z.number().nullable().describe("Minimum reputation 0-5"),
  mcp: z.boolean().nullable().describe("true when only MCP services are wanted"),
});
export type DiscoverModelStep = z.infer<typeof DiscoverModelStep>;

/** The model's search step as an intent; a price limit needs its token. */
export function discoverFromModel(
  step: DiscoverModelStep,
  tokens: TokenList,
): IntentOf<"discover"> {
  const priceToken = step.maxPriceToken ? resolveToken(tokens, step.maxPriceToken) : undefined;
  if (step.maxPrice && !priceToken)
    throw unusableAnswer("The model gave a price limit without a token");
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
    ...(step.minReputation !== null ? { minReputation: step.minReputation } : {}),
    ...(step.mcp ? { mcp: true } : {}),
  };
}
