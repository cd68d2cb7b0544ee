import {
  type Address,
  type Hash,
  type Hex,
  TransactionNotFoundError,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { log } from "../log.js";
import type { ChainContext } from "./clients.js";
import { revertReasonOf } from "./errors.js";
import { findNonceConsumer } from "./findNonceConsumer.js";

export interface GetTransactionOutcomeParameters {
  hash: Hash;
  from: Address;
  nonce: number;
  /** The signed transaction; when the node has lost it and its nonce is still free, it is rebroadcast. */
  rawTransaction?: Hex | null;
}

/** Where a submitted transaction stands. Gas figures are base units of the native token (wei). */
export type TransactionOutcome =
  | {
      status: "confirmed" | "reverted";
      hash: Hash;
      blockNumber: bigint;
      gasUsed: bigint;
      effectiveGasPrice: bigint;
      /** gasUsed × effectiveGasPrice. */
      gasCost: bigint;
      /** For reverted: the decoded reason, or "out of gas". */
      error?: string;
      outOfGas?: boolean;
      receipt: TransactionReceipt;
    }
  | { status: "pending"; hash: Hash; rebroadcast: boolean }
  | { status: "dropped"; hash: Hash; error: string };

/**
 * Looks a submitted transaction up: mined (confirmed or reverted, with gas cost and a revert reason),
 * still pending (rebroadcasting the stored raw transaction if the node forgot it), or dropped (its
 * nonce was used by a different transaction). Read-only apart from that rebroadcast.
 */
export async function getTransactionOutcome(
  context: ChainContext,
  parameters: GetTransactionOutcomeParameters,
): Promise<TransactionOutcome> {
  const { publicClient } = context;
  const { hash } = parameters;
  const receipt = await fetchReceipt(context, hash);
  if (receipt) return fromReceipt(context, receipt);

  const known = await publicClient.getTransaction({ hash }).catch((error: unknown) => {
    if (error instanceof TransactionNotFoundError) return undefined;
    throw error;
  });
  // A transaction the node still knows is not dropped (anvil can advance the nonce a moment before
  // the receipt is readable): wait for its receipt.
  if (known) return { status: "pending", hash, rebroadcast: false };

  // Every question from here on is pinned to one block, so an RPC whose nodes lag each other
  // cannot combine "the nonce is used" from a node ahead with "no receipt" from a node behind into
  // a wrong "dropped" (which would invite a double send). A node without that block errors; the
  // answer is then "pending" and the next check asks again.
  const head = await publicClient.getBlockNumber();
  const consumer = await findNonceConsumer(context, {
    from: parameters.from,
    nonce: parameters.nonce,
    head,
  }).catch((error: unknown) => {
    log.warn("the chain did not answer who used the nonce; the transaction stays pending", {
      hash,
      error,
    });
    return "unknown" as const;
  });
  if (consumer === "unknown") return { status: "pending", hash, rebroadcast: false };
  if (consumer) {
    if (consumer.hash.toLowerCase() === hash.toLowerCase()) {
      // Ours is in a block the node has; its receipt may not be indexed (or served) yet.
      const receipt = await fetchReceipt(context, hash);
      return receipt
        ? fromReceipt(context, receipt)
        : { status: "pending", hash, rebroadcast: false };
    }
    return {
      status: "dropped",
      hash,
      error: `nonce ${parameters.nonce} was used by transaction ${consumer.hash} in block ${consumer.blockNumber}`,
    };
  }

  let rebroadcast = false;
  if (parameters.rawTransaction) {
    await publicClient
      .sendRawTransaction({ serializedTransaction: parameters.rawTransaction })
      .catch((error: unknown) => {
        // "already known" / "nonce too low" races are settled by the next check.
        if (!/already known|nonce too low|already imported/i.test(String((error as Error).message)))
          throw error;
      });
    rebroadcast = true;
  }
  return { status: "pending", hash, rebroadcast };
}

async function fetchReceipt(
  context: ChainContext,
  hash: Hash,
): Promise<TransactionReceipt | undefined> {
  try {
    return await context.publicClient.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw error;
  }
}

/** Turns a receipt into an outcome; for a revert, replays the call to recover the reason. */
export async function fromReceipt(
  context: ChainContext,
  receipt: TransactionReceipt,
): Promise<TransactionOutcome> {
  const gasCost = receipt.gasUsed * receipt.effectiveGasPrice;
  const base = {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    effectiveGasPrice: receipt.effectiveGasPrice,
    gasCost,
    receipt,
  };
  if (receipt.status === "success") return { status: "confirmed", ...base };
  const transaction = await context.publicClient.getTransaction({ hash: receipt.transactionHash });
  // An inner call that runs out of gas leaves the caller 1/64 of the gas to revert with, so
  // "out of gas" shows up as gasUsed within 63/64 of the limit rather than equal to it.
  const outOfGas = receipt.gasUsed * 64n >= transaction.gas * 63n;
  let reason: string | undefined;
  if (!outOfGas) {
    try {
      await context.publicClient.call({
        account: transaction.from,
        to: transaction.to,
        data: transaction.input,
        value: transaction.value,
        gas: transaction.gas,
        blockNumber: receipt.blockNumber - 1n,
      });
      reason = "reverted on chain but not when replayed (state changed within the block)";
    } catch (error) {
      reason = revertReasonOf(error);
    }
  }
  return {
    status: "reverted",
    ...base,
    outOfGas,
    error: outOfGas ? "out of gas" : (reason ?? "reverted without a reason"),
  };
}
