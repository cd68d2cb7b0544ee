import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { USD, usdToMicros } from "./units.js";

export interface LedgerTotals {
  /** Settled amounts. */
  spent: bigint;
  /** Amounts reserved and not yet settled or released. */
  reserved: bigint;
}

/**
 * Adds up a session's ledger in one unit (a token, or "USD" over every token's usd_amount),
 * optionally for one UTC day. The ledger is the durable record both budget backends agree on.
 */
export async function sumLedger(
  db: Kysely<Database>,
  parameters: { sessionId: string; unit: string; day?: string },
): Promise<LedgerTotals> {
  let query = db
    .selectFrom("spend_ledger")
    .select([
      "status",
      sql<string | null>`sum(amount)::text`.as("amount"),
      sql<string | null>`sum(usd_amount)::text`.as("usd"),
    ])
    .where("session_id", "=", parameters.sessionId)
    .where("status", "in", ["reserved", "settled"])
    .groupBy("status");
  if (parameters.unit !== USD) {
    query = query.where(sql<boolean>`lower(token) = ${parameters.unit}`);
  }
  if (parameters.day !== undefined) query = query.where("day", "=", parameters.day);
  const rows = await query.execute();
  const totals: LedgerTotals = { spent: 0n, reserved: 0n };
  for (const row of rows) {
    const value =
      parameters.unit === USD
        ? row.usd === null
          ? 0n
          : usdToMicros(row.usd)
        : BigInt(row.amount ?? "0");
    if (row.status === "settled") totals.spent += value;
    else totals.reserved += value;
  }
  return totals;
}
