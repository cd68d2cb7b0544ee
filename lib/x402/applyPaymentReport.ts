import type { Kysely } from "kysely";
import type { Hex, PublicClient } from "viem";
import type { Cache } from "../cache/index.js";
import type { ChainContext } from "../chain/clients.js";
import type { Database, Payment, PaymentStatus } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { bookPaymentOutcome } from "./bookPaymentOutcome.js";
import { findPaymentByNonce, markPaymentFailed, markPaymentUnknown } from "./paymentRecords.js";
import { resolvePayment } from "./resolvePayment.js";

/** A facilitator's (signed) report about a payment it settles asynchronously. */
export interface PaymentReport {
  nonce: string;
  status: "settled" | "failed";
  transaction?: string | undefined;
  reason?: string | undefined;
}

/** Inputs of applyPaymentReport. */
export interface ApplyPaymentReportParameters {
  db: Kysely<Database>;
  publicClient: PublicClient;
  /** Cancels the authorization of a payment reported failed (so "failed" becomes provable). */
  chain?: ChainContext | undefined;
  cache?: Cache | undefined;
  report: PaymentReport;
}

/** What the chain made of the report. */
export interface ApplyPaymentReportReturnType {
  payment: Payment;
  status: PaymentStatus;
  /** The payment reached a final state in this call: wake whatever waits on it. */
  resolved: boolean;
}

/**
 * A report is a trigger, never the truth. "settled" is believed once the chain shows the
 * authorization used (else 409: the sender retries). "failed" is checked too: a payment the chain
 * shows used is settled whatever the report says; an unused one is cancelled on chain when
 * possible (then it is provably failed, the reservation released) and otherwise stays unknown
 * until it settles or expires. Final outcomes are booked (bookPaymentOutcome).
 */
export async function applyPaymentReport(
  parameters: ApplyPaymentReportParameters,
): Promise<ApplyPaymentReportReturnType> {
  const { db, publicClient, report } = parameters;
  const nonce = report.nonce.toLowerCase() as Hex;
  const payment = await findPaymentByNonce(db, nonce);
  if (!payment) throw new ClientError("not_found", `No payment with nonce ${nonce}`);
  if (
    payment.status === "settled" ||
    payment.status === "cancelled" ||
    payment.status === "expired"
  ) {
    return { payment, status: payment.status, resolved: false };
  }
  if (!payment.sent_at) {
    // Nothing was ever sent for this nonce, so nothing can settle it: the report changes nothing.
    if (report.status === "failed")
      await markPaymentFailed(db, nonce, report.reason ?? "reported failed");
    const row = (await findPaymentByNonce(db, nonce)) ?? payment;
    return { payment: row, status: row.status, resolved: false };
  }

  const failed = report.status === "failed";
  const resolution = await resolvePayment({
    db,
    publicClient,
    payment,
    cancelWith: failed ? parameters.chain : undefined,
  });
  if (resolution.status === "unknown") {
    if (!failed) {
      throw new ClientError("conflict", "The chain does not show this authorization as used yet");
    }
    const unknown = await markPaymentUnknown(db, nonce, {
      reason: `facilitator reported failure${report.reason ? `: ${report.reason}` : ""}; ${resolution.reason}`,
      payeeFailed: true,
    });
    return { payment: unknown, status: "unknown", resolved: false };
  }
  // A report settles the question only through the chain; book what the chain says.
  const final = resolution.payment;
  if (final.unknown_since === null) {
    await db
      .updateTable("payments")
      .set({ unknown_since: final.updated_at })
      .where("id", "=", final.id)
      .where("unknown_since", "is", null)
      .execute();
  }
  await bookPaymentOutcome({
    db,
    cache: parameters.cache,
    payment: final,
    chain: parameters.chain,
  });
  return { payment: final, status: final.status, resolved: true };
}
