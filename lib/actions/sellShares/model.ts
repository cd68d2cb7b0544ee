import { z } from "zod";
import { marketRefFromModel } from "../markets.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for selling a position. */
export const SellSharesModelStep = z.object({
  kind: z.literal("sellShares"),
  market: z
    .string()
    .describe('The market\'s short name ("cro-above-0.10-dec31") or its question as quoted'),
  outcome: z.enum(["yes", "no"]).describe("Outcome whose shares are sold (all of them)"),
});
export type SellSharesModelStep = z.infer<typeof SellSharesModelStep>;

/** The model's sell step as an intent. */
export function sellSharesFromModel(step: SellSharesModelStep): IntentOf<"sellShares"> {
  return { kind: "sellShares", market: marketRefFromModel(step.market), outcome: step.outcome };
}
