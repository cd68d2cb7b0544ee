import { type Selectable, type SelectQueryBuilder, sql } from "kysely";
import type { Database, SpendLedgerTable } from "../db/index.js";

/** One spend_ledger row: the budget record of one money-moving step. */
export interface BudgetReservation {
  /** `${runId}:${stepIndex}`. */
  id: string;
  sessionId: string;
  runId: string;
  token: string;
  /** Base units, decimal string. */
  amount: string;
  /** USD value as a 6-decimal string, when known. */
  usdAmount: string | null;
  status: "reserved" | "settled" | "released";
  /** UTC day (YYYY-MM-DD) the reservation counts against for daily limits. */
  day: string;
}

/** Identifies a reservation: one per (runId, stepIndex). */
export interface ReservationKey {
  runId: string;
  stepIndex: number;
}

/** The ledger row id of a step: reservations are idempotent per step. */
export function ledgerId(key: ReservationKey): string {
  return `${key.runId}:${key.stepIndex}`;
}

type LedgerRow = Omit<Selectable<SpendLedgerTable>, "day" | "created_at" | "updated_at"> & {
  day: string;
};

/**
 * Selects the ledger columns a reservation needs. `day` is read as text because drivers turn a
 * DATE into a Date at local (node-postgres) or UTC (PGlite) midnight.
 */
export function selectLedger<O>(query: SelectQueryBuilder<Database, "spend_ledger", O>) {
  return query.select([
    "id",
    "session_id",
    "run_id",
    "token",
    "amount",
    "usd_amount",
    "status",
    sql<string>`day::text`.as("day"),
  ]);
}

/** Maps a spend_ledger row to its public shape. */
export function toReservation(row: LedgerRow): BudgetReservation {
  return {
    id: row.id,
    sessionId: row.session_id,
    runId: row.run_id,
    token: row.token,
    amount: String(row.amount),
    usdAmount: row.usd_amount === null ? null : String(row.usd_amount),
    status: row.status,
    day: row.day,
  };
}
