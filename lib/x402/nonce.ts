import { encodeAbiParameters, type Hex, keccak256 } from "viem";

/** Domain tag mixed into every nonce so Paygent nonces never collide with another scheme's. */
export const NONCE_DOMAIN = "paygent-x402";

/** Identifies one payment attempt of one workflow step. */
export interface DeriveNonceParameters {
  runId: string;
  stepId: string;
  /**
   * Bumped only when a step deliberately pays again (e.g. the first authorization expired
   * unused); retries of the same attempt must reuse the same nonce. Defaults to 0.
   */
  attempt?: number;
}

/**
 * The EIP-3009 nonce of a step's payment: keccak256(abi.encode("paygent-x402", runId, stepId,
 * attempt)). Derived, never random, so a retried or replayed step re-creates the same
 * authorization and the token contract itself refuses to move money for it twice.
 */
export function deriveNonce({ runId, stepId, attempt = 0 }: DeriveNonceParameters): Hex {
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  return keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "string" }, { type: "string" }, { type: "uint256" }],
      [NONCE_DOMAIN, runId, stepId, BigInt(attempt)],
    ),
  );
}
