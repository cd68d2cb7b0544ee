import { z } from "zod";
import { addressRefusal } from "../../agent/grammar/addressRefusal.js";
import { resolveToken, type TokenList } from "../../agent/tokens.js";
import { symbolField } from "../modelFields.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for a balance check. */
export const BalanceModelStep = z.object({
  kind: z.literal("balance"),
  tokens: z.array(symbolField).describe("Symbols asked about; empty for all"),
  address: z
    .string()
    .nullable()
    .describe("0x address whose balance is asked, or null for the agent's wallet"),
});
export type BalanceModelStep = z.infer<typeof BalanceModelStep>;

/** The model's balance step as an intent. */
export function balanceFromModel(step: BalanceModelStep, tokens: TokenList): IntentOf<"balance"> {
  // Held to the grammar's rules (a mistyped checksum is refused); any address may be read.
  const refusal = step.address && addressRefusal(step.address, { recipient: false });
  if (refusal) throw refusal;
  return {
    kind: "balance",
    tokens: step.tokens.map((symbol) => resolveToken(tokens, symbol).symbol),
    ...(step.address ? { address: step.address } : {}),
  };
}
