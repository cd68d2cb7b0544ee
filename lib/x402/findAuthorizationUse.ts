import { type Address, type Hash, type Hex, type PublicClient, parseAbi } from "viem";

/** The EIP-3009 reads and event this module needs (FiatToken and PaygentUSD share them). */
export const eip3009StateAbi = parseAbi([
  "function authorizationState(address authorizer, bytes32 nonce) view returns (bool)",
  "event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)",
]);

/** Inputs of findAuthorizationUse. */
export interface FindAuthorizationUseParameters {
  asset: Address;
  payer: Address;
  nonce: Hex;
  /** First block to search for the AuthorizationUsed event (recorded before the first send). */
  fromBlock?: bigint | undefined;
  /** Largest eth_getLogs range per request; public Cronos RPCs refuse wide ranges. */
  maxBlockRange?: bigint | undefined;
}

/** Whether an authorization was consumed on chain, and by which transaction. */
export type AuthorizationUse =
  | { used: false }
  | { used: true; transaction: Hash | null; blockNumber: bigint | null };

/**
 * Asks the token whether (payer, nonce) was already used and, if so, finds the transaction that
 * used it from its AuthorizationUsed event. This is how a retried step learns that an earlier
 * attempt paid even though nobody recorded it: the chain is the source of truth.
 */
export async function findAuthorizationUse(
  publicClient: PublicClient,
  parameters: FindAuthorizationUseParameters,
): Promise<AuthorizationUse> {
  const { asset, payer, nonce } = parameters;
  const used = await publicClient.readContract({
    address: asset,
    abi: eip3009StateAbi,
    functionName: "authorizationState",
    args: [payer, nonce],
  });
  if (!used) return { used: false };

  const latest = await publicClient.getBlockNumber();
  const range = parameters.maxBlockRange ?? 2000n;
  // Newest first: a retry usually follows the payment closely.
  const floor = parameters.fromBlock ?? 0n;
  for (let to = latest; to >= floor; to -= range) {
    const from = to - range + 1n > floor ? to - range + 1n : floor;
    const logs = await publicClient.getLogs({
      address: asset,
      event: eip3009StateAbi[1],
      args: { authorizer: payer, nonce },
      fromBlock: from,
      toBlock: to,
    });
    const log = logs.at(-1);
    if (log) return { used: true, transaction: log.transactionHash, blockNumber: log.blockNumber };
    if (from === floor) break;
  }
  return { used: true, transaction: null, blockNumber: null };
}
