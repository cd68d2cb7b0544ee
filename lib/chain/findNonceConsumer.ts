import type { Address, Hash } from "viem";
import type { ChainContext } from "./clients.js";
import { ChainUnavailableError } from "./errors.js";

export interface FindNonceConsumerParameters {
  from: Address;
  nonce: number;
  /** The block to search up to; every query is pinned to a block at or below it. */
  head: bigint;
}

/** The mined transaction that used an account's nonce. */
export interface NonceConsumer {
  hash: Hash;
  blockNumber: bigint;
}

/**
 * Finds the transaction that used `from`'s `nonce` in a block at or below `head`, or null when the
 * nonce is still unused at `head`. Each query names its block (the account's nonce at block b, then
 * block b's body), so the answer is the chain's, whichever node of a load-balanced RPC serves it: a
 * node that lacks the block errors instead of answering from older state. Costs about
 * 2·log2(blocks since the nonce was used) + 2 calls; it runs only when a transaction has no receipt.
 * Throws when a node cannot answer (a pruned state, a lagging node): the caller decides nothing.
 */
export async function findNonceConsumer(
  context: ChainContext,
  parameters: FindNonceConsumerParameters,
): Promise<NonceConsumer | null> {
  const { publicClient } = context;
  const { from, nonce, head } = parameters;
  const usedBy = async (blockNumber: bigint): Promise<boolean> =>
    (await publicClient.getTransactionCount({ address: from, blockNumber })) > nonce;
  if (!(await usedBy(head))) return null;

  // Gallop back from the head to a block where the nonce was still free, then bisect: the nonce was
  // used within the last few blocks in every case that matters, and this finds it in a few calls.
  let used = head;
  let free = -1n;
  for (let step = 1n; used > 0n; step *= 2n) {
    const probe = head - step < 0n ? 0n : head - step;
    if (!(await usedBy(probe))) {
      free = probe;
      break;
    }
    used = probe;
  }
  while (used - free > 1n) {
    const middle = (used + free) / 2n;
    if (await usedBy(middle)) used = middle;
    else free = middle;
  }

  const block = await publicClient.getBlock({ blockNumber: used, includeTransactions: true });
  const consumer = block.transactions.find(
    (transaction) =>
      transaction.from.toLowerCase() === from.toLowerCase() && transaction.nonce === nonce,
  );
  if (!consumer) {
    // The nonce moved in this block but no transaction of ours is in it: the node's answers do not
    // agree with each other, so nothing can be concluded.
    throw new ChainUnavailableError(
      `block ${used} raised the nonce of ${from} past ${nonce} without its transaction`,
    );
  }
  return { hash: consumer.hash, blockNumber: used };
}
