import { z } from "zod";
import { toBaseUnits } from "../../agent/grammar/readAmount.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { decimal, symbolField, unusableAnswer } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a payment. */
export const PayModelStep = z.object({
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
});
export type PayModelStep = z.infer<typeof PayModelStep>;

/** The model's payment step as an intent; an amount needs its token. */
export function payFromModel(step: PayModelStep, tokens: TokenList): IntentOf<"pay"> {
  const token = step.token ? resolveToken(tokens, step.token) : undefined;
  if ((step.amount || step.maxAmount) && !token)
    throw unusableAnswer("The model gave a payment amount without a token");
  return {
    kind: "pay",
    ...(step.service ? { service: step.service } : {}),
    ...(step.url ? { url: step.url } : {}),
    ...(token ? { token: token.symbol } : {}),
    ...(step.amount && token ? { amount: toBaseUnits(step.amount, token) } : {}),
    ...(step.maxAmount && token ? { maxAmount: toBaseUnits(step.maxAmount, token) } : {}),
  };
}
