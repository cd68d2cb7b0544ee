import { refuse } from "./refuse.js";

/**
 * Refuses a swap of a token for itself, as the grammar words it. Shared with the model's swap
 * step (lib/actions/swap/model.ts) so the refusal does not depend on who read the command.
 */
export function checkSwapTokens(sold: string, bought: string): void {
  if (sold === bought) {
    throw refuse(`Cannot swap ${sold} for itself`, { reason: "invalid_amount" });
  }
}
