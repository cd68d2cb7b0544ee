import { type Address, type Hash, type Hex, type PublicClient, parseAbi } from "viem";
import { readAuthorizationState } from "./readAuthorizationState.js";

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

/** Whether an authorization moved money on chain, and by which transaction. */
export type AuthorizationUse =
  | { used: false }
  | { used: true; transaction: Hash | null; blockNumber: bigint | null };

/**
 * Whether (payer, nonce) moved money, and the transaction that did. A cancelled nonce is reported
 * as unused: it never moved money (authorizationState alone cannot tell the two apart, see
 * readAuthorizationState).
 */
export async function findAuthorizationUse(
  publicClient: PublicClient,
  parameters: FindAuthorizationUseParameters,
): Promise<AuthorizationUse> {
  const state = await readAuthorizationState(publicClient, parameters);
  if (state.state !== "used") return { used: false };
  return { used: true, transaction: state.transaction, blockNumber: state.blockNumber };
}
