import type { Kysely } from "kysely";

/**
 * pool_observations: a DEX pair's cumulative prices (the Uniswap V2 oracle every VVS pair keeps) at
 * a block. A swap compares the pool's price now with its average since an observation at least
 * SWAP_AVERAGE_MINUTES old, and is refused when the pool pays much less than that average: a pool
 * pushed for a moment (a sandwich, a flash loan) cannot sell the wallet's tokens at its price.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("pool_observations")
    .addColumn("network", "text", (c) => c.notNull())
    .addColumn("pair", "text", (c) => c.notNull())
    .addColumn("observed_at", "timestamptz", (c) => c.notNull())
    .addColumn("block_number", "numeric", (c) => c.notNull())
    .addColumn("price0_cumulative", "numeric", (c) => c.notNull())
    .addColumn("price1_cumulative", "numeric", (c) => c.notNull())
    .addPrimaryKeyConstraint("pool_observations_pkey", ["network", "pair", "observed_at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("pool_observations").execute();
}
