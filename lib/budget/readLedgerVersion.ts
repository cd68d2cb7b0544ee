import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { ledgerId, type ReservationKey } from "./reservation.js";

/** A reservation's state and version, read before the evidence a release is decided on. */
export interface LedgerVersion {
  status: "reserved" | "settled" | "released";
  /** `updated_at` as Postgres prints it: exact to the microsecond, unlike a JS Date. */
  version: string;
}

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
    .select(["status", sql<string>`updated_at::text`.as("version")])
    .where("id", "=", ledgerId(key))
    .executeTakeFirst();
}
