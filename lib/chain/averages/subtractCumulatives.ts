const MOD_256 = 1n << 256n;

/**
 * Σ price × seconds between two readings of one accumulator, which wraps modulo 2^256 as the pair
 * counts it. A later reading below an earlier one is a wrap only when the difference is plausible:
 * one of 2^255 or more means the earlier reading is not of this chain's history (a devnet restarted
 * from scratch, a testnet reset), and undefined is answered.
 */
export function subtractCumulatives(later: bigint, earlier: bigint): bigint | undefined {
  const difference = (((later - earlier) % MOD_256) + MOD_256) % MOD_256;
  return difference >= 1n << 255n ? undefined : difference;
}
