import { z } from "zod";
import { addressRefusal } from "../../agent/grammar/addressRefusal.js";
import { toBaseUnits } from "../../agent/grammar/readAmount.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { decimal, symbolField, unusableAnswer } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a transfer. */
export const TransferModelStep = z.object({
  kind: z.literal("transfer"),
  token: symbolField,
  amount: decimal,
  toAddress: z.string().nullable().describe("Recipient 0x address, if the recipient is an address"),
  toService: z
    .string()
    .nullable()
    .describe("Recipient service name, if the recipient is a named service"),
  toUrl: z.string().nullable().describe("Recipient URL, if the recipient is a URL"),
});
export type TransferModelStep = z.infer<typeof TransferModelStep>;

/** The model's transfer step as an intent: exactly one recipient, the amount in base units. */
export function transferFromModel(
  step: TransferModelStep,
  tokens: TokenList,
): IntentOf<"transfer"> {
  const token = resolveToken(tokens, step.token);
  const targets = [step.toAddress, step.toService, step.toUrl].filter((v) => v);
  if (targets.length !== 1) throw unusableAnswer("The model did not name exactly one recipient");
  // The grammar's own refusals (zero address, wrong checksum), in its words: a model's reading
  // of an address is held to the same rules as the grammar's.
  const refusal = step.toAddress && addressRefusal(step.toAddress, { recipient: true });
  if (refusal) throw refusal;
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
