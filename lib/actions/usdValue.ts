import type { Kysely } from "kysely";
import { microsToUsd } from "../budget/units.js";
import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";
import type { Database } from "../db/database.js";
import { chainPricer } from "../policy/chainPricer.js";

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

/**
 * The USD value a limit counts a spend at (session budgets and daily limits, the planner's approval
 * threshold): held to the window of pool prices like the policy's (chainPricer), so a pool pushed
 * for a moment cannot shrink it. Undefined when the token has no price (a USD limit then refuses
 * the spend as unpriced); an RPC or database failure throws, so the step retries instead.
 */
export async function heldUsdValue(
  chain: ChainContext,
  db: Kysely<Database>,
  token: string,
  amount: bigint | string,
): Promise<string | undefined> {
  const micros = await chainPricer(chain, db)(token, BigInt(amount), "spend");
  return micros === null ? undefined : microsToUsd(micros);
}
