import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";
import { isErrorNamed } from "../errors/index.js";
import type { PriceUsd } from "./amounts.js";

/**
 * The pricer the gate uses: stablecoins 1:1 and everything else at the on-chain pool
 * (lib/chain/priceUsd). A token with no peg and no pool is unpriced (null), which refuses any
 * action whose limits need its USD value; RPC failures still throw (transient).
 */
export function chainPricer(context: ChainContext): PriceUsd {
  return async (token, amount) => {
    try {
      return BigInt((await priceUsd(context, { token, amount })).usdMicros);
    } catch (error) {
      if (isErrorNamed(error, "PriceUnavailableError") || isErrorNamed(error, "UnknownTokenError"))
        return null;
      throw error;
    }
  };
}
