import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/database.js";

export interface PairObservation {
  /** Seconds (block timestamp). */
  timestamp: bigint;
  price0Cumulative: bigint;
  price1Cumulative: bigint;
}

/**
 * The newest stored observation of a pair taken between `notBefore` and `notAfter`, if any, at a
 * block before `beforeBlock`: one from a later block (or the same one) is not of this chain's past.
 */
export async function findPairObservation(
  db: Kysely<Database>,
  parameters: {
    network: string;
    pair: Address;
    notBefore: Date;
    notAfter: Date;
    beforeBlock: bigint;
  },
): Promise<PairObservation | undefined> {
  const row = await db
    .selectFrom("pool_observations")
    .select(["observed_at", "price0_cumulative", "price1_cumulative"])
    .where("network", "=", parameters.network)
    .where("pair", "=", parameters.pair.toLowerCase())
    .where("observed_at", ">=", parameters.notBefore)
    .where("observed_at", "<=", parameters.notAfter)
    .where("block_number", "<", parameters.beforeBlock.toString())
    .orderBy("observed_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    timestamp: BigInt(Math.floor(row.observed_at.getTime() / 1000)),
    price0Cumulative: BigInt(row.price0_cumulative),
    price1Cumulative: BigInt(row.price1_cumulative),
  };
}
