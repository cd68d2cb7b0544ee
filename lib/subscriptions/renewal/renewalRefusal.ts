import type { HoldDecision, RefuseDecision } from "../../policy/types.js";

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
 * Reads the gate's refusal or hold of a renewal. A freeze defers it. A policy rule (per-action
 * limit, full window, payee or action not allowed…) ends the subscription: the key's policy no
 * longer covers it. A hold ends it too: the renewal loop has no way to wait for approvers today,
 * and a subscribe command asks for the approval its first period needs.
 */
export function renewalRefusal(decision: RefuseDecision | HoldDecision): RenewalRefusal {
  const version = decision.policyVersion === null ? "" : ` v${decision.policyVersion}`;
  if (decision.outcome === "hold") {
    return {
      action: "end",
      rule: decision.rule,
      reason: `renewal needs approval under policy ${decision.policyId}${version} (${decision.message}; rule ${decision.rule}); subscribe again to ask for it`,
    };
  }
  return {
    action: freezeRules.has(decision.rule) ? "defer" : "end",
    rule: decision.rule,
    // "renewal refused: … (rule maxPerAction)", as a pay step's "Action 1 (pay) refused: …".
    reason: `renewal ${decision.message} (rule ${decision.rule})`,
  };
}
