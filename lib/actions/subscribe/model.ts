import { z } from "zod";
import type { IntentOf } from "../types.js";

/** What the language model answers for a subscription. */
export const SubscribeModelStep = z.object({
  kind: z.literal("subscribe"),
  service: z.string(),
  period: z.enum(["daily", "weekly", "monthly"]),
});
export type SubscribeModelStep = z.infer<typeof SubscribeModelStep>;

/** The model's subscription step as an intent. */
export function subscribeFromModel(step: SubscribeModelStep): IntentOf<"subscribe"> {
  return { kind: "subscribe", service: step.service, period: step.period };
}
