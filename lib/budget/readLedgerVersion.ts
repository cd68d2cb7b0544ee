import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { ledgerId, type ReservationKey } from "./reservation.js";

/** A reservation's state and version, read before the evidence a release is decided on. */
export interface LedgerVersion {
  status: "reserved" | "settled" | "released";
  /**
   * `updated_at` in microseconds since the epoch: exact, unlike a JS Date, and the same whatever
   * a connection's DateStyle or time zone (the printed timestamp is not).
   */
  version: string;
}

/** The version expression, for reading it and for comparing it in releaseBudget. */
export const ledgerVersionOf = sql<string>`(extract(epoch from updated_at) * 1000000)::bigint`;

/**
 * Reads a step's reservation version, for releaseBudget's `unchangedSince`: a release decided on
 * evidence read after this goes through only if no send was fenced in between
 * (holdReservationForSend). Undefined when the step never reserved.
 */
export async function readLedgerVersion(
  db: Kysely<Database>,
  key: ReservationKey,
): Promise<LedgerVersion | undefined> {
  return db
    .selectFrom("spend_ledger")
    .select(["status", sql<string>`${ledgerVersionOf}::text`.as("version")])
    .where("id", "=", ledgerId(key))
    .executeTakeFirst();
}
