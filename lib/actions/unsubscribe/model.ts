import { z } from "zod";
import type { IntentOf } from "../types.js";

/** What the language model answers for a cancellation. */
export const UnsubscribeModelStep = z.object({
  kind: z.literal("unsubscribe"),
  service: z.string(),
});
export type UnsubscribeModelStep = z.infer<typeof UnsubscribeModelStep>;

/** The model's cancellation step as an intent. */
export function unsubscribeFromModel(step: UnsubscribeModelStep): IntentOf<"unsubscribe"> {
  return { kind: "unsubscribe", service: step.service };
}
