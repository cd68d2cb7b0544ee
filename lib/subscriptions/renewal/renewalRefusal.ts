import type { RefuseDecision } from "../../policy/types.js";

/** What a renewal the gate did not allow does next. */
export interface RenewalRefusal {
  /** "defer": try again later (a freeze may be lifted); "end": the subscription cannot go on. */
  action: "defer" | "end";
  rule: string;
  /** For people: the gate's message naming the rule. */
  reason: string;
}

/** Freezes are lifted by an admin, so they defer the renewal instead of ending it. */
const freezeRules = new Set(["frozen.wallet", "frozen.key"]);

/**
 * Reads the gate's refusal of a renewal. A freeze defers it. A policy rule (per-action limit, full
 * window, payee or action not allowed…) ends the subscription: the key's policy no longer covers
 * it. (A hold is not a refusal: the renewal asks approvers and waits, requestRenewalApproval.)
 */
export function renewalRefusal(decision: RefuseDecision): RenewalRefusal {
  return {
    action: freezeRules.has(decision.rule) ? "defer" : "end",
    rule: decision.rule,
    // "renewal refused: … (rule maxPerAction)", as a pay step's "Action 1 (pay) refused: …".
    reason: `renewal ${decision.message} (rule ${decision.rule})`,
  };
}
