import type { Address, Hash, Hex, PublicClient } from "viem";
import { nonceEventOf } from "./readNonceEventInReceipt.js";

/** Inputs of confirmSettlementTransaction. */
export interface ConfirmSettlementTransactionParameters {
  /** The transaction the server's PAYMENT-RESPONSE names. */
  transaction: Hash;
  asset: Address;
  payer: Address;
  nonce: Hex;
  /** How long to wait for the receipt (the server's RPC node may be a block ahead of ours). */
  timeoutMs?: number;
}

/**
 * True when the named transaction is mined, succeeded and emitted AuthorizationUsed(payer, nonce)
 * from the token: the server's claim is then proven by one receipt. False means unproven (not
 * mined within the wait, reverted, or about something else); the caller asks the chain directly.
 */
export async function confirmSettlementTransaction(
  publicClient: PublicClient,
  parameters: ConfirmSettlementTransactionParameters,
): Promise<boolean> {
  let receipt: Awaited<ReturnType<PublicClient["getTransactionReceipt"]>>;
  try {
    // Facilitators answer after the receipt, so the first read normally finds it.
    receipt = await publicClient.getTransactionReceipt({ hash: parameters.transaction });
  } catch {
    try {
      receipt = await publicClient.waitForTransactionReceipt({
        hash: parameters.transaction,
        timeout: parameters.timeoutMs ?? 5_000,
        pollingInterval: 100,
      });
    } catch {
      return false;
    }
  }
  return nonceEventOf(receipt, parameters) === "used";
}
