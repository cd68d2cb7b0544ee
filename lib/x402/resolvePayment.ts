import type { Kysely } from "kysely";
import type { Address, Hash, Hex, PublicClient } from "viem";
import type { ChainContext } from "../chain/clients.js";
import type { Database, Payment } from "../db/database.js";
import { log } from "../log.js";
import { cancelPaymentAuthorization } from "./cancelPaymentAuthorization.js";
import { markPaymentSettled, markPaymentVoided, searchFrom } from "./paymentRecords.js";
import { type AuthorizationState, readAuthorizationState } from "./readAuthorizationState.js";
import { readNonceEventInReceipt } from "./readNonceEventInReceipt.js";

/** Inputs of resolvePayment. */
export interface ResolvePaymentParameters {
  db: Kysely<Database>;
  publicClient: PublicClient;
  payment: Payment;
  /**
   * Cancel the authorization on chain when it is still unused and valid. Pass the agent's chain
   * context only when the payee failed: an honest facilitator that settles later must not lose
   * its payment to a cancel.
   */
  cancelWith?: ChainContext | undefined;
  /** Receipt wait for the cancel transaction. */
  receiptTimeoutMs?: number | undefined;
}

/**
 * What the chain proves about a payment. Only "unknown" leaves the row untouched: the caller
 * decides whether that means re-sending (a crashed attempt) or waiting (markPaymentUnknown).
 */
export type PaymentResolution =
  | { status: "settled"; transaction: Hash | null; payment: Payment }
  | { status: "cancelled"; transaction: Hash | null; payment: Payment }
  | { status: "expired"; payment: Payment }
  | { status: "unknown"; reason: string; payment: Payment };

/**
 * Resolves a sent authorization from the chain alone: used → settled (AuthorizationUsed);
 * cancelled → cancelled (AuthorizationCanceled); unused and past validBefore by the latest block's
 * timestamp → expired (no later block can accept it); otherwise, if asked, cancel it now (the
 * cancel landing proves nothing will be paid, its revert means the payee settled first).
 * Writes the final status to the row; idempotent.
 */
export async function resolvePayment(
  parameters: ResolvePaymentParameters,
): Promise<PaymentResolution> {
  const { db, publicClient, payment } = parameters;
  const nonce = payment.nonce as Hex;
  const read = (blockNumber?: bigint) =>
    readAuthorizationState(publicClient, {
      asset: payment.asset as Address,
      payer: payment.payer as Address,
      nonce,
      fromBlock: searchFrom(payment),
      blockNumber,
    });

  // The block first, then the state as of that very block: read the other way round (or from two
  // nodes at different heights), a settlement mined just before validBefore, between the two
  // reads, would be booked "expired" and its reservation released while the money left.
  const latest = await publicClient.getBlock({ blockTag: "latest" });
  const state = await read(latest.number ?? undefined);
  if (state.state === "spent") return identifySpend(parameters);
  if (state.state !== "unused") return record(db, payment, state);

  const validBefore = BigInt(payment.valid_before ?? 0);
  // The token refuses when block.timestamp >= validBefore; block timestamps never go back, so an
  // authorization unused as of such a block can never move money.
  if (latest.timestamp >= validBefore) {
    const expired = await markPaymentVoided(db, nonce, { status: "expired" });
    if (expired.status === "expired") return { status: "expired", payment: expired };
    const again = await read(); // only a concurrent resolution can have changed the row
    if (again.state === "spent") return identifySpend({ ...parameters, payment: expired });
    if (again.state !== "unused") return record(db, expired, again);
    return { status: "unknown", reason: `the row is ${expired.status}`, payment: expired };
  }

  if (!parameters.cancelWith) {
    return { status: "unknown", reason: "the authorization is unused and still valid", payment };
  }
  let cancel: Awaited<ReturnType<typeof cancelPaymentAuthorization>>;
  try {
    cancel = await cancelPaymentAuthorization({
      db,
      chain: parameters.cancelWith,
      payment,
      receiptTimeoutMs: parameters.receiptTimeoutMs,
    });
  } catch (error) {
    // RPC down or the like: nothing is proven either way.
    log.warn("x402 cancel failed", { paymentId: payment.id, error });
    return { status: "unknown", reason: "cancelling the authorization failed", payment };
  }
  if (cancel.status === "pending") {
    return { status: "unknown", reason: `cancel ${cancel.transaction} not mined yet`, payment };
  }
  // Our cancel mined and succeeded: its receipt is the proof (cancelAuthorization reverts on a
  // nonce already used), whatever an event search says.
  if (cancel.status === "cancelled") {
    return record(db, payment, {
      state: "cancelled",
      transaction: cancel.transaction,
      blockNumber: null,
    });
  }
  const after = await read();
  if (after.state === "spent") return identifySpend(parameters);
  if (after.state !== "unused") return record(db, payment, after);
  return {
    status: "unknown",
    reason: `the authorization could not be cancelled (${cancel.status === "refused" ? cancel.reason : "no receipt"})`,
    payment,
  };
}

/**
 * The nonce is spent but no event said how: the receipts of the transactions we know of decide
 * (our cancel, recorded before it was sent; the settlement the payee named). Otherwise unknown:
 * the reservation stays and the next pass looks again.
 */
async function identifySpend(parameters: ResolvePaymentParameters): Promise<PaymentResolution> {
  const { db, publicClient } = parameters;
  // Re-read: a cancel sent by another pass is recorded on the row.
  const payment =
    (await db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", parameters.payment.id)
      .executeTakeFirst()) ?? parameters.payment;
  const known = { asset: payment.asset as Address, payer: payment.payer as Address };
  for (const transaction of [payment.cancel_tx_hash, payment.tx_hash]) {
    if (!transaction) continue;
    const event = await readNonceEventInReceipt(publicClient, {
      ...known,
      transaction: transaction as Hash,
      nonce: payment.nonce as Hex,
    });
    if (event) {
      return record(db, payment, {
        state: event,
        transaction: transaction as Hash,
        blockNumber: null,
      });
    }
  }
  return {
    status: "unknown",
    reason:
      "the authorization is spent on chain, but no event says whether it paid or was cancelled yet",
    payment,
  };
}

async function record(
  db: Kysely<Database>,
  payment: Payment,
  state: Extract<AuthorizationState, { transaction: Hash | null }>,
): Promise<PaymentResolution> {
  const nonce = payment.nonce as Hex;
  if (state.state === "used") {
    const settled = await markPaymentSettled(db, nonce, {
      transaction: state.transaction,
      payer: payment.payer as Address,
    });
    log.info("x402 payment resolved from chain", {
      paymentId: payment.id,
      status: "settled",
      transaction: state.transaction,
    });
    return { status: "settled", transaction: state.transaction, payment: settled };
  }
  const cancelled = await markPaymentVoided(db, nonce, {
    status: "cancelled",
    cancelTransaction: state.transaction,
  });
  return { status: "cancelled", transaction: state.transaction, payment: cancelled };
}
