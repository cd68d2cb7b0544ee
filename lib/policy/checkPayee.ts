import { checkCounterparty } from "./checkCounterparty.js";
import { hostOf } from "./hostOf.js";
import type { PolicyDocument } from "./schemas.js";
import type { PolicyAction } from "./types.js";

/** Who a payment really goes to, once its terms are known. */
export interface Payee {
  /** The address the payment's terms name (an x402 payTo). */
  payTo: string;
  /** The URL actually paid. */
  url: string;
}

/**
 * Applies `counterparties` to a payment's real payee: the address only its 402 names and the
 * host actually paid, beside what the action itself named. The gate before money moves can only
 * see the action; without this a payee on the deny list is paid through any URL that names it.
 * Returns the refusal, if any.
 */
export function checkPayee(
  document: PolicyDocument,
  action: PolicyAction,
  payee: Payee,
): { rule: string; message: string } | undefined {
  const host = hostOf(payee.url);
  const counterparty: NonNullable<PolicyAction["counterparty"]> = {
    ...action.counterparty,
    address: payee.payTo,
    ...(host ? { host } : {}),
  };
  return checkCounterparty(document, { ...action, counterparty });
}
