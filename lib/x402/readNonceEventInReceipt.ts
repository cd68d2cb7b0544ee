import {
  type Address,
  encodeEventTopics,
  type Hash,
  type Hex,
  isAddressEqual,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { eip3009NonceAbi } from "./readAuthorizationState.js";

/** Inputs of readNonceEventInReceipt. */
export interface ReadNonceEventInReceiptParameters {
  /** A transaction we know of: our cancel, or the settlement the payee named. */
  transaction: Hash;
  asset: Address;
  payer: Address;
  nonce: Hex;
}

/**
 * What one mined transaction did to (payer, nonce): "used" when its receipt carries the token's
 * AuthorizationUsed for it, "cancelled" for AuthorizationCanceled, undefined when the receipt is
 * not (yet) readable, failed, or says neither. A receipt is bound to its transaction, so the answer
 * holds whichever node serves it; an event search over block ranges can miss what a lagging log
 * index has not indexed.
 */
export async function readNonceEventInReceipt(
  publicClient: PublicClient,
  parameters: ReadNonceEventInReceiptParameters,
): Promise<"used" | "cancelled" | undefined> {
  let receipt: TransactionReceipt;
  try {
    receipt = await publicClient.getTransactionReceipt({ hash: parameters.transaction });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw error;
  }
  return nonceEventOf(receipt, parameters);
}

/** The event a mined receipt carries for (payer, nonce) from the token, if it succeeded. */
export function nonceEventOf(
  receipt: TransactionReceipt,
  parameters: Pick<ReadNonceEventInReceiptParameters, "asset" | "payer" | "nonce">,
): "used" | "cancelled" | undefined {
  if (receipt.status !== "success") return undefined;
  const topicsOf = (eventName: "AuthorizationUsed" | "AuthorizationCanceled") =>
    encodeEventTopics({
      abi: eip3009NonceAbi,
      eventName,
      args: { authorizer: parameters.payer, nonce: parameters.nonce },
    }).map((topic) => String(topic).toLowerCase());
  const used = topicsOf("AuthorizationUsed");
  const cancelled = topicsOf("AuthorizationCanceled");
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, parameters.asset)) continue;
    const topics = log.topics.map((topic) => topic.toLowerCase());
    if (used.every((topic, i) => topics[i] === topic)) return "used";
    if (cancelled.every((topic, i) => topics[i] === topic)) return "cancelled";
  }
  return undefined;
}
