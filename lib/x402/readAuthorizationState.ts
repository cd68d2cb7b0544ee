import {
  type Address,
  decodeEventLog,
  encodeEventTopics,
  type Hash,
  type Hex,
  type Log,
  numberToHex,
  type PublicClient,
  parseAbi,
} from "viem";

/** The EIP-3009 read and the two events that say what became of a nonce. */
export const eip3009NonceAbi = parseAbi([
  "function authorizationState(address authorizer, bytes32 nonce) view returns (bool)",
  "event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)",
  "event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce)",
]);

/** Inputs of readAuthorizationState. */
export interface ReadAuthorizationStateParameters {
  asset: Address;
  payer: Address;
  nonce: Hex;
  /** First block to search for the events (recorded before the first send). */
  fromBlock?: bigint | undefined;
  /** Largest eth_getLogs range per request; public Cronos RPCs refuse wide ranges. */
  maxBlockRange?: bigint | undefined;
  /**
   * Read the state as of this block (latest when omitted). An "unused" answer is then proof about
   * that very block, which the caller can compare with validBefore.
   */
  blockNumber?: bigint | undefined;
}

/**
 * What the token says about (payer, nonce):
 * - unused: it can still move money until validBefore (or until cancelled);
 * - used: it moved money (AuthorizationUsed), in `transaction` when the event was found;
 * - cancelled: it never will (AuthorizationCanceled);
 * - spent: one of the two, but no event was found in the searched range (a log index that lags
 *   the state, a search floor read from a node ahead). Neither may be booked on that: a settlement
 *   booked for a cancel says money left that did not, a cancel booked for a settlement gives back
 *   a budget the money used. The caller proves it another way (readNonceEventInReceipt) or waits.
 */
export type AuthorizationState =
  | { state: "unused" }
  | { state: "spent" }
  | { state: "used" | "cancelled"; transaction: Hash | null; blockNumber: bigint | null };

/**
 * Reads the token's authorizationState and, when the nonce is spent, finds which event spent it
 * (newest blocks first, in bounded ranges). The chain is the source of truth for every payment.
 */
export async function readAuthorizationState(
  publicClient: PublicClient,
  parameters: ReadAuthorizationStateParameters,
): Promise<AuthorizationState> {
  const { asset, payer, nonce } = parameters;
  const spent = await publicClient.readContract({
    address: asset,
    abi: eip3009NonceAbi,
    functionName: "authorizationState",
    args: [payer, nonce],
    ...(parameters.blockNumber !== undefined ? { blockNumber: parameters.blockNumber } : {}),
  });
  if (!spent) return { state: "unused" };

  const [usedTopic] = encodeEventTopics({ abi: eip3009NonceAbi, eventName: "AuthorizationUsed" });
  const [cancelTopic, payerTopic, nonceTopic] = encodeEventTopics({
    abi: eip3009NonceAbi,
    eventName: "AuthorizationCanceled",
    args: { authorizer: payer, nonce },
  });
  // Uncached: viem caches the block number for its polling interval, and a stale number would
  // miss the event of a transaction mined just now (and report a cancelled nonce as used).
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
  const range = parameters.maxBlockRange ?? 2000n;
  const floor = parameters.fromBlock ?? 0n;
  for (let to = latest; to >= floor; to -= range) {
    const from = to - range + 1n > floor ? to - range + 1n : floor;
    const logs = (await publicClient.request({
      method: "eth_getLogs",
      params: [
        {
          address: asset,
          topics: [[usedTopic!, cancelTopic!], payerTopic!, nonceTopic!],
          fromBlock: numberToHex(from),
          toBlock: numberToHex(to),
        },
      ],
    })) as Log[];
    const log = logs.at(-1);
    if (log) {
      const event = decodeEventLog({ abi: eip3009NonceAbi, data: log.data, topics: log.topics });
      return {
        state: event.eventName === "AuthorizationCanceled" ? "cancelled" : "used",
        transaction: log.transactionHash,
        blockNumber: log.blockNumber === null ? null : BigInt(log.blockNumber),
      };
    }
    if (from === floor) break;
  }
  return { state: "spent" };
}
