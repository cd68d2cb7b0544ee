import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";
import { isErrorNamed } from "../errors/index.js";
import { divideUp, type PriceUsd } from "./amounts.js";

/** priceUsd truncates to micro-dollars; pricing 10¹² times the amount keeps the remainder. */
const EXTRA = 10n ** 12n;

/**
 * The pricer the gate uses: stablecoins 1:1 and everything else at the on-chain pool
 * (lib/chain/priceUsd). A token with no peg and no pool is unpriced (null), which refuses any
 * action whose limits need its USD value; RPC failures still throw (transient). Values are rounded
 * UP to the micro-dollar, so a limit check can only be stricter than the exact value, never looser.
 */
export function chainPricer(context: ChainContext): PriceUsd {
  return async (token, amount) => {
    try {
      const scaled = await priceUsd(context, { token, amount: amount * EXTRA });
      return divideUp(BigInt(scaled.usdMicros), EXTRA);
    } catch (error) {
      if (isErrorNamed(error, "PriceUnavailableError") || isErrorNamed(error, "UnknownTokenError"))
        return null;
      throw error;
    }
  };
}
