import type { Kysely } from "kysely";
import {
  type Address,
  encodeFunctionData,
  type Hash,
  type Hex,
  isAddressEqual,
  parseAbi,
  parseSignature,
} from "viem";
import type { ChainContext } from "../chain/clients.js";
import {
  TransactionDroppedError,
  TransactionPendingError,
  TransactionRevertedError,
  TransactionWouldRevertError,
} from "../chain/errors.js";
import {
  sendRecordedTransaction,
  settleRecordedTransaction,
} from "../chain/sendRecordedTransaction.js";
import type { Database, Payment } from "../db/database.js";
import { log } from "../log.js";
import { bookCancelGas } from "./bookCancelGas.js";
import { recordCancelTransaction, storedRequirement } from "./paymentRecords.js";
import { readTokenDomain } from "./readTokenDomain.js";

/** EIP-3009's cancel, in the (v, r, s) form every FiatToken version and PaygentUSD implement. */
const cancelAbi = parseAbi([
  "function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)",
]);

const cancelTypes = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** Inputs of cancelPaymentAuthorization. */
export interface CancelPaymentAuthorizationParameters {
  db: Kysely<Database>;
  /** The agent's chain context: its account must be the payment's payer (the authorizer). */
  chain: ChainContext;
  payment: Payment;
  /** How long to wait for the cancel's receipt before reporting it pending (default 15 s). */
  receiptTimeoutMs?: number;
}

/**
 * What became of the cancel:
 * - cancelled: mined; the authorization can never move money;
 * - pending: sent, not mined yet (cancel_tx_hash is recorded; resolve again later);
 * - refused: not sent or reverted (the token lacks cancelAuthorization, the nonce was already
 *   used or cancelled, or the payer is not this wallet); read the authorization state to know which.
 */
export type CancelPaymentAuthorizationReturnType =
  | { status: "cancelled"; transaction: Hash }
  | { status: "pending"; transaction: Hash }
  | { status: "refused"; reason: string };

/**
 * Cancels a payment's EIP-3009 authorization on chain: signs CancelAuthorization(authorizer,
 * nonce) with the agent key and submits it from the agent wallet (which pays the gas). Recorded
 * like every Paygent transaction (keyed `x402-cancel:<nonce>`, signed bytes stored before the
 * broadcast), so calling it again rebroadcasts or re-checks the same transaction.
 *
 * This is how a payee that received the signature and then failed stops being exposure: the cancel
 * either lands (nothing can be paid any more) or reverts because the payee settled first (then the
 * payment is booked as spent).
 */
export async function cancelPaymentAuthorization(
  parameters: CancelPaymentAuthorizationParameters,
): Promise<CancelPaymentAuthorizationReturnType> {
  const { db, chain, payment } = parameters;
  const { account } = chain;
  const nonce = payment.nonce as Hex;
  const asset = payment.asset as Address;
  if (!payment.payer || !isAddressEqual(payment.payer as Address, account.address)) {
    return { status: "refused", reason: "the payment was signed by another wallet" };
  }
  const requirement = storedRequirement(payment);
  if (!requirement || !account.signTypedData) {
    return { status: "refused", reason: "the signed terms or a local signer are missing" };
  }
  const domain = await readTokenDomain(chain.publicClient, requirement);
  const signature = await account.signTypedData({
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: chain.chain.id,
      verifyingContract: asset,
    },
    types: cancelTypes,
    primaryType: "CancelAuthorization",
    message: { authorizer: account.address, nonce },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  const data = encodeFunctionData({
    abi: cancelAbi,
    functionName: "cancelAuthorization",
    args: [account.address, nonce, Number(v ?? BigInt(27 + yParity)), r, s],
  });

  let sent: Awaited<ReturnType<typeof sendRecordedTransaction>>;
  try {
    sent = await sendRecordedTransaction(chain, db, {
      stepId: `x402-cancel:${nonce}`,
      // No run: the run waits on payment:<nonce>, not on this transaction's hash.
      runId: null,
      kind: "cancel_authorization",
      action: "Cancel of an x402 authorization",
      to: asset,
      data,
      details: { paymentId: payment.id, nonce },
    });
  } catch (error) {
    if (error instanceof TransactionWouldRevertError) {
      return { status: "refused", reason: error.reason ?? "cancelAuthorization would revert" };
    }
    throw error;
  }
  const hash = sent.row.hash as Hash;
  await recordCancelTransaction(db, nonce, hash);
  try {
    await settleRecordedTransaction(chain, db, sent.row, {
      reused: sent.reused,
      timeoutMs: parameters.receiptTimeoutMs ?? 15_000,
    });
  } catch (error) {
    if (error instanceof TransactionPendingError) return { status: "pending", transaction: hash };
    if (error instanceof TransactionRevertedError || error instanceof TransactionDroppedError) {
      // Typically the payee's settlement won the race: the caller reads the state to be sure.
      // A reverted cancel still burnt gas: the run pays it.
      await addGasToRun(parameters, hash);
      return { status: "refused", reason: error.shortMessage };
    }
    throw error;
  }
  await addGasToRun(parameters, hash);
  log.info("x402 authorization cancelled", { paymentId: payment.id, transaction: hash });
  return { status: "cancelled", transaction: hash };
}

/** The cancel's gas goes into the run's cost; a failure to book it never undoes the cancel. */
async function addGasToRun(
  parameters: CancelPaymentAuthorizationParameters,
  hash: Hash,
): Promise<void> {
  const { db, chain, payment } = parameters;
  await bookCancelGas({
    db,
    chain,
    payment: { run_id: payment.run_id, cancel_tx_hash: hash },
  }).catch((error: unknown) => log.warn("cancel gas not added to the run's cost", { hash, error }));
}
