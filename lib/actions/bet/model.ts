import { z } from "zod";
import { toBaseUnits } from "../../agent/grammar/readAmount.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { marketRefFromModel } from "../markets.js";
import { decimal, symbolField } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a bet. */
export const BetModelStep = z.object({
  kind: z.literal("bet"),
  market: z
    .string()
    .describe('The market\'s short name ("cro-above-0.10-dec31") or its question as quoted'),
  outcome: z.enum(["yes", "no"]).describe("Outcome bet on"),
  amount: decimal.describe("Collateral to spend, exactly as the user wrote it"),
  token: symbolField.describe("Collateral token, e.g. USDC"),
});
export type BetModelStep = z.infer<typeof BetModelStep>;

/** The model's bet step as an intent: the amount in the collateral's base units. */
export function betFromModel(step: BetModelStep, tokens: TokenList): IntentOf<"bet"> {
  const token = resolveToken(tokens, step.token);
  return {
    kind: "bet",
    market: marketRefFromModel(step.market),
    outcome: step.outcome,
    token: token.symbol,
    amount: toBaseUnits(step.amount, token),
  };
}
