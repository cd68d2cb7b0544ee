import { type Kysely, sql } from "kysely";
import { type Cache, getCache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { adjustCountersForRow, presentCounters, rowUsdMicros } from "./counters.js";
import { BudgetReservationError } from "./errors.js";
import { findReservation } from "./findReservation.js";
import { ledgerVersionOf } from "./readLedgerVersion.js";
import { type BudgetReservation, ledgerId } from "./reservation.js";

export interface ReleaseBudgetParameters {
  db: Kysely<Database>;
  cache?: Cache;
  runId: string;
  stepIndex: number;
  /**
   * The reservation's version (readLedgerVersion) when the caller read the
   * evidence it releases on: a row touched since (a send fenced by holdReservationForSend) is not
   * released, and comes back still `reserved`.
   */
  unchangedSince?: string;
}

/**
 * Gives a step's reservation back (the payment failed or was cancelled before money moved).
 * Idempotent; a settled reservation is not released (the money is gone) and is returned as is,
 * and so is one changed since `unchangedSince`.
 * Returns undefined when the step never reserved.
 */
export async function releaseBudget(
  parameters: ReleaseBudgetParameters,
): Promise<BudgetReservation | undefined> {
  const { db } = parameters;
  const id = ledgerId(parameters);
  const cache = parameters.cache ?? (await getCache());
  // Which counters to give back to is decided before the row changes (presentCounters).
  const before = cache.kind === "memory" ? undefined : await findReservation(db, parameters);
  const present =
    before?.status === "reserved" ? await presentCounters(cache, before) : new Set<string>();
  let release = db
    .updateTable("spend_ledger")
    .set({ status: "released", updated_at: new Date() })
    .where("id", "=", id)
    .where("status", "=", "reserved");
  if (parameters.unchangedSince !== undefined)
    release = release.where(
      sql<boolean>`${ledgerVersionOf} = ${parameters.unchangedSince}::bigint`,
    );
  const released = await release.returning("id").executeTakeFirst();
  const reservation = await findReservation(db, parameters);
  if (!reservation) return undefined;
  if (!released) return reservation;
  if (reservation.status !== "released") {
    throw new BudgetReservationError(
      "conflict",
      `Budget reservation ${id} changed while releasing`,
    );
  }
  // Only the call that moved the row from reserved gives the counters back: no double release.
  if (cache.kind !== "memory") {
    await adjustCountersForRow(
      cache,
      reservation,
      { amount: -BigInt(reservation.amount), usdMicros: -rowUsdMicros(reservation) },
      present,
    );
  }
  return reservation;
}
