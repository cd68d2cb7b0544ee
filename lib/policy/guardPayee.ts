import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { log } from "../log.js";
import { checkPayee, type Payee } from "./checkPayee.js";
import { PayeeRefusedError } from "./errors.js";
import { resolvePolicy } from "./resolvePolicy.js";
import type { PolicyAction } from "./types.js";

/** Throws PayeeRefusedError when the key's policy refuses the payee; called before signing. */
export type PayeeGuard = (payee: Payee) => Promise<void>;

/**
 * The payee check a payment runs once its terms name the payee (lib/x402 executePayment's
 * `checkPayee`): the key's policy as it is at that moment, applied by checkPayee.
 */
export function guardPayee(
  db: Kysely<Database>,
  parameters: { keyId: string | null; action: PolicyAction },
): PayeeGuard {
  return async (payee) => {
    const policy = await resolvePolicy(db, { keyId: parameters.keyId });
    const refusal = checkPayee(policy.document, parameters.action, payee);
    if (!refusal) return;
    log.info("payee refused by policy", {
      keyId: parameters.keyId,
      rule: refusal.rule,
      payTo: payee.payTo,
    });
    throw new PayeeRefusedError(refusal.rule, refusal.message);
  };
}
