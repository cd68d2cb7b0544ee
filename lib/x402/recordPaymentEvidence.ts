import type { SignedOffer, SignedReceipt } from "@x402/extensions/offer-receipt";
import type { Kysely } from "kysely";
import type { Hex } from "viem";
import type { Database } from "../db/database.js";

/** Signed offer and receipt (x402 offer-receipt extension) a server gave with a payment. */
export interface PaymentEvidence {
  /** Every signed offer of the 402 answer (the one paid is matched by its terms). */
  offers: SignedOffer[];
  receipt: SignedReceipt | null;
}

/**
 * Stores the server's signed offer and receipt with the payment row, when it gave any: proof of
 * what was offered and that it was delivered, for disputes and audits. Kept as received; whether
 * the signer is who it claims is for whoever relies on it (verifyReceiptMatchesOffer and the kid).
 */
export async function recordPaymentEvidence(
  db: Kysely<Database>,
  nonce: Hex,
  evidence: PaymentEvidence | undefined,
): Promise<void> {
  if (!evidence || (evidence.offers.length === 0 && !evidence.receipt)) return;
  await db
    .updateTable("payments")
    .set({
      offer: evidence.offers.length ? JSON.stringify(evidence.offers) : null,
      receipt: evidence.receipt ? JSON.stringify(evidence.receipt) : null,
    })
    .where("nonce", "=", nonce)
    .execute();
}
