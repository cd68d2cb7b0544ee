import { z } from "zod";
import { decimal, symbolField } from "../../actions/modelFields.js";
import { ModelStep } from "../../actions/schemas.js";

/**
 * Model-facing schema: decimal amounts and symbols exactly as the user wrote them, one step schema
 * per action (lib/actions/<type>/model.ts). Fields are nullable rather than optional because strict
 * structured-output modes require every key.
 */

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
