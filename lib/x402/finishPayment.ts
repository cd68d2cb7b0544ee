import { sql } from "kysely";
import type { Address, Hex } from "viem";
import type { Payment } from "../db/database.js";
import { storableText } from "../db/storableText.js";
import { log } from "../log.js";
import { confirmSettlementTransaction } from "./confirmSettlementTransaction.js";
import { PaymentVoidedError } from "./errors.js";
import type { ExecutePaymentParameters } from "./executePayment.js";
import type { PaidResource } from "./payForResource.js";
import {
  contentOf,
  type PaymentOutcome,
  settledOutcome,
  unknownOutcome,
} from "./paymentOutcome.js";
import { markPaymentSettled, markPaymentUnknown, storedContent } from "./paymentRecords.js";
import { refetchContent } from "./refetchContent.js";
import {
  type PaymentResolution,
  type ResolvePaymentParameters,
  resolvePayment,
} from "./resolvePayment.js";

/**
 * The three ways executePayment ends once an authorization exists. Each one asks the chain before
 * concluding anything, and none ever calls a sent authorization "failed".
 */

/**
 * An earlier attempt of this step left a row: answer from it, or from the chain, when that is
 * possible. Returns undefined when the step should (re-)send: nothing was sent yet, or a crashed
 * attempt's authorization is unused and still valid (re-sending the identical authorization is
 * safe, the token lets it move money once). An "unknown" payment is not re-sent: it is waited for.
 */
export async function reviewEarlierAttempt(
  parameters: ExecutePaymentParameters,
  row: Payment,
): Promise<PaymentOutcome | undefined> {
  if (row.status === "settled") return settledOutcome(row, "already-settled");
  if (row.status === "cancelled" || row.status === "expired") throw voided(row);
  if (!row.sent_at) return undefined;
  const waiting = row.status === "unknown";
  const resolution = await resolveOrUnknown({
    db: parameters.db,
    publicClient: parameters.publicClient,
    payment: row,
    // A failed payee's authorization is cancelled as soon as a wallet can do it.
    cancelWith: waiting && row.payee_failed ? parameters.chain : undefined,
  });
  if (resolution.status === "unknown") {
    return waiting ? unknownOutcome(row, row.error ?? resolution.reason) : undefined;
  }
  return afterResolution(parameters, resolution, { refetch: true });
}

/**
 * The signed authorization was sent and the payee failed (an error answer, 402 again, a redirect,
 * a broken connection): mark it, then let the chain decide. The authorization is cancelled on
 * chain when possible, so the usual end is "nothing was paid" (PaymentVoidedError); a payee that
 * settled anyway is settled (and flagged), and without proof either way the payment is unknown.
 */
export async function resolveAfterSend(
  parameters: ExecutePaymentParameters,
  row: Payment,
  failure: { error: unknown; payeeFailed: boolean },
): Promise<PaymentOutcome> {
  const reason = failure.error instanceof Error ? failure.error.message : String(failure.error);
  if (failure.payeeFailed) await flagPayeeFailed(parameters, row, reason);
  const resolution = await resolveOrUnknown({
    db: parameters.db,
    publicClient: parameters.publicClient,
    payment: row,
    cancelWith: failure.payeeFailed ? parameters.chain : undefined,
  });
  if (resolution.status === "unknown") {
    const unknown = await markPaymentUnknown(parameters.db, row.nonce as Hex, {
      reason: `${reason}; ${resolution.reason}`,
      payeeFailed: failure.payeeFailed,
    });
    return currentOutcome(unknown, reason);
  }
  return afterResolution(parameters, resolution, { refetch: false, cause: failure.error });
}

/**
 * The resource answered with content after the signed request. Settled only when the chain shows
 * it: the named transaction's receipt carries AuthorizationUsed(payer, nonce), or
 * authorizationState says used. A facilitator that answers "pending" leaves the payment unknown
 * (it is not a failure); content without any settlement is a payee failure (cancelled if possible).
 */
export async function finishPaidAnswer(
  parameters: ExecutePaymentParameters,
  row: Payment,
  paid: PaidResource,
): Promise<PaymentOutcome> {
  const { db, publicClient } = parameters;
  const nonce = row.nonce as Hex;
  const payer = row.payer as Address;
  const content = contentOf(paid);
  const settlement = paid.settlement;
  if (settlement?.pending) {
    const unknown = await markPaymentUnknown(db, nonce, {
      reason: "the facilitator accepted the payment and settles it later",
      payeeFailed: false,
      content,
    });
    return currentOutcome(unknown, "settling later");
  }
  if (
    settlement?.transaction &&
    (await confirmSettlementTransaction(publicClient, {
      transaction: settlement.transaction,
      asset: row.asset as Address,
      payer,
      nonce,
    }))
  ) {
    const settled = await markPaymentSettled(db, nonce, {
      transaction: settlement.transaction,
      payer,
      content,
    });
    return settledOutcome(settled, "paid", {
      content,
      requirement: paid.requirement,
      movedMoney: true,
    });
  }
  const resolution = await resolveOrUnknown({
    db,
    publicClient,
    payment: row,
    cancelWith: parameters.chain,
  });
  if (resolution.status === "settled") {
    // Settled without (or with a wrong) PAYMENT-RESPONSE: paid all the same.
    const settled = await markPaymentSettled(db, nonce, {
      transaction: resolution.transaction,
      payer,
      content,
    });
    return settledOutcome(settled, "paid", {
      content,
      requirement: paid.requirement,
      movedMoney: true,
    });
  }
  const reason = settlement?.transaction
    ? `the server named transaction ${settlement.transaction}, which did not use the authorization`
    : "the server returned content but did not settle";
  await flagPayeeFailed(parameters, row, reason);
  if (resolution.status === "unknown") {
    const unknown = await markPaymentUnknown(db, nonce, {
      reason: `${reason}; ${resolution.reason}`,
      payeeFailed: true,
      content,
    });
    return currentOutcome(unknown, reason);
  }
  throw voided(resolution.payment, reason);
}

async function afterResolution(
  parameters: ExecutePaymentParameters,
  resolution: Exclude<PaymentResolution, { status: "unknown" }>,
  options: { refetch: boolean; cause?: unknown },
): Promise<PaymentOutcome> {
  const row = resolution.payment;
  if (resolution.status !== "settled") {
    throw voided(row, row.error ?? undefined, options.cause);
  }
  // Paid, but the content never arrived here: get it again only if the server gives it for free.
  let content = storedContent(row);
  if (!content && options.refetch) {
    content = await refetchContent({ url: row.resource_url, fetch: parameters.fetch });
    if (content) {
      await markPaymentSettled(parameters.db, row.nonce as Hex, {
        transaction: null,
        payer: row.payer as Address,
        content,
      });
    }
  }
  // "recovered": this call cannot prove the transfer was its own (a lost row, a crashed attempt).
  return settledOutcome(row, "recovered", { content, movedMoney: false });
}

/**
 * The outcome a row stands for after markPaymentUnknown: a report or the reconciler may have
 * resolved it in the meantime (the write is guarded), and a final state wins over "unknown".
 */
function currentOutcome(row: Payment, reason: string): PaymentOutcome {
  if (row.status === "settled") return settledOutcome(row, "recovered");
  if (row.status === "cancelled" || row.status === "expired") throw voided(row);
  return unknownOutcome(row, row.error ?? reason);
}

/**
 * The first write after a payee failed: the reason is often its own words, so a NUL in them must
 * not fail it (nothing would be flagged or cancelled, and the payee would keep its signature).
 */
async function flagPayeeFailed(
  parameters: ExecutePaymentParameters,
  row: Payment,
  reason: string,
): Promise<void> {
  const error = storableText(reason.slice(0, 500));
  await parameters.db
    .updateTable("payments")
    .set({ payee_failed: true, error, updated_at: sql`now()` })
    .where("nonce", "=", row.nonce)
    .execute();
}

function voided(row: Payment, reason?: string, cause?: unknown): PaymentVoidedError {
  return new PaymentVoidedError(
    {
      paymentId: row.id,
      outcome: row.status === "expired" ? "expired" : "cancelled",
      cancelTransaction: row.cancel_tx_hash,
      reason: reason ?? row.error ?? undefined,
    },
    cause === undefined ? {} : { cause },
  );
}

/** resolvePayment, where a chain that cannot be read proves nothing: the payment stays unknown. */
async function resolveOrUnknown(parameters: ResolvePaymentParameters): Promise<PaymentResolution> {
  try {
    return await resolvePayment(parameters);
  } catch (error) {
    log.warn("x402 payment could not be resolved", { paymentId: parameters.payment.id, error });
    return {
      status: "unknown",
      reason: "the chain could not be read",
      payment: parameters.payment,
    };
  }
}
