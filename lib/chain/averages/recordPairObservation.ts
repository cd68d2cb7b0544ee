import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { PairCumulatives } from "./readPairCumulatives.js";

/** Stores a pair's oracle reading; a second reading of the same second is the same observation. */
export async function recordPairObservation(
  db: Kysely<Database>,
  network: string,
  reading: PairCumulatives,
): Promise<void> {
  await db
    .insertInto("pool_observations")
    .values({
      network,
      pair: reading.pair.toLowerCase(),
      observed_at: new Date(Number(reading.timestamp) * 1000),
      block_number: reading.blockNumber,
      price0_cumulative: reading.price0Cumulative,
      price1_cumulative: reading.price1Cumulative,
    })
    .onConflict((conflict) => conflict.columns(["network", "pair", "observed_at"]).doNothing())
    .execute();
}
