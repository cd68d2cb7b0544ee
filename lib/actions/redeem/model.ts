import { z } from "zod";
import { marketRefFromModel } from "../markets.js";
import type { IntentOf } from "../types.js";

/** What the language model answers for redeeming a resolved market. */
export const RedeemModelStep = z.object({
  kind: z.literal("redeem"),
  market: z
    .string()
    .describe('The market\'s short name ("cro-above-0.10-dec31") or its question as quoted'),
});
export type RedeemModelStep = z.infer<typeof RedeemModelStep>;

/** The model's redeem step as an intent. */
export function redeemFromModel(step: RedeemModelStep): IntentOf<"redeem"> {
  return { kind: "redeem", market: marketRefFromModel(step.market) };
}
