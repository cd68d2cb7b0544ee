import { type Kysely, sql } from "kysely";

/**
 * At most one live (not dropped) transaction per step and kind. The sender serialises its own
 * attempts in-process; this makes the same guarantee hold across processes (two hosts of the
 * Postgres world running one step concurrently): the second insert fails and its retry finds the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index chain_transactions_live_step_idx
    on chain_transactions (chain_id, step_id, kind) where status <> 'dropped'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists chain_transactions_live_step_idx`.execute(db);
}
