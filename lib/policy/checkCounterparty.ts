import type { PolicyDocument } from "./schemas.js";
import type { PolicyAction } from "./types.js";

/** Action types that pay someone, so payee rules apply to them. */
const payeeActions = new Set(["transfer", "pay", "subscribe"]);

/**
 * Applies `counterparties` to an action: an identifier on the deny list refuses (deny wins); with
 * an allow list, one of the action's identifiers must be on it. Returns the refusal, if any.
 * Identifiers compare case-insensitively (addresses, hosts, service ids), hosts without a trailing dot.
 */
export function checkCounterparty(
  document: PolicyDocument,
  action: PolicyAction,
): { rule: string; message: string } | undefined {
  const rules = document.counterparties;
  if (!rules || !payeeActions.has(action.type)) return undefined;
  const ids = [
    action.counterparty?.address,
    action.counterparty?.host,
    action.counterparty?.serviceId,
  ]
    .filter((id): id is string => typeof id === "string" && id.length > 0)
    // "api.example.com." (a fully qualified name, port or not) is the host the rules name.
    .map((id) => id.toLowerCase().replace(/\.(?=(?::\d+)?$)/, ""));
  const denied = ids.find((id) => rules.deny?.includes(id));
  if (denied)
    return { rule: "counterparties.deny", message: `${denied} is on the policy's deny list` };
  if (rules.allow && !ids.some((id) => rules.allow?.includes(id))) {
    const who = ids.length > 0 ? ids.join(", ") : "an unidentified payee";
    return { rule: "counterparties.allow", message: `${who} is not on the policy's allow list` };
  }
  return undefined;
}
