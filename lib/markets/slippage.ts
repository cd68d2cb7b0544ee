import { InvalidAmountError } from "../chain/units.js";

/** Checks a slippage tolerance in basis points (integer 0–5000, as for swaps). */
export function requireSlippageBps(slippageBps: number): number {
  if (!Number.isInteger(slippageBps) || slippageBps < 0 || slippageBps > 5_000) {
    throw new InvalidAmountError(
      `slippageBps must be an integer from 0 to 5000, got ${slippageBps}`,
    );
  }
  return slippageBps;
}

/** `amount` less `slippageBps`, rounded down: the floor a trade may not go below. */
export function lessSlippage(amount: bigint, slippageBps: number): bigint {
  return (amount * BigInt(10_000 - slippageBps)) / 10_000n;
}
