import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";

/** USD value of an amount, or undefined when no price is known (costs then stay in their own unit). */
export async function usdValue(
  chain: ChainContext,
  token: string,
  amount: bigint | string,
): Promise<string | undefined> {
  try {
    return (await priceUsd(chain, { token, amount })).usd;
  } catch {
    return undefined;
  }
}
