import type { Kysely } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import type { BudgetReservation } from "./reservation.js";
import { sumLedger } from "./sumLedger.js";
import { type ApplicableLimit, USD, unitOf, usdToMicros } from "./units.js";

/**
 * Counters let Redis/Upstash check-and-reserve atomically without a database lock. They are a
 * fast mirror of the ledger (reserved + settled per unit), rebuilt from it whenever they expire.
 */
const SESSION_COUNTER_TTL_SECONDS = 7 * 24 * 60 * 60;
const DAILY_COUNTER_TTL_SECONDS = 2 * 24 * 60 * 60;
/** Larger than any uint256: "add without a limit". */
const NO_LIMIT = 2n ** 256n;

/** Cache key of the counter behind one limit. */
export function counterKey(
  sessionId: string,
  scope: "session" | "daily",
  unit: string,
  day?: string,
): string {
  return scope === "daily"
    ? `budget:${sessionId}:day:${day}:${unit}`
    : `budget:${sessionId}:session:${unit}`;
}

function ttlFor(scope: "session" | "daily"): number {
  return scope === "daily" ? DAILY_COUNTER_TTL_SECONDS : SESSION_COUNTER_TTL_SECONDS;
}

/**
 * Makes sure the counter exists, seeding it from the ledger. NX keeps the first seed: a seed
 * computed concurrently cannot overwrite a counter that reservations already moved.
 */
export async function ensureCounter(
  db: Kysely<Database>,
  cache: Cache,
  sessionId: string,
  limit: ApplicableLimit,
): Promise<string> {
  const key = counterKey(sessionId, limit.scope, limit.unit, limit.day);
  if ((await cache.get(key)) !== null) return key;
  const totals = await sumLedger(db, { sessionId, unit: limit.unit, day: limit.day });
  await cache.set(key, String(totals.spent + totals.reserved), {
    ttlSeconds: ttlFor(limit.scope),
    onlyIfAbsent: true,
  });
  return key;
}

/** Atomically reserves `limit.charge` on the counter; false when it would pass the limit. */
export async function reserveCounter(
  cache: Cache,
  key: string,
  limit: ApplicableLimit,
): Promise<boolean> {
  const result = await cache.reserve(key, limit.charge, limit.limit, {
    ttlSeconds: ttlFor(limit.scope),
  });
  return result.reserved;
}

/** Gives back amounts previously reserved on counters. */
export async function releaseCounters(
  cache: Cache,
  held: { key: string; amount: bigint }[],
): Promise<void> {
  await Promise.all(
    held.map(({ key, amount }) => (amount > 0n ? cache.release(key, amount) : undefined)),
  );
}

/** The counters a ledger row counts in, with the share of `delta` each one moves by. */
function countersOfRow(
  row: BudgetReservation,
  delta: { amount: bigint; usdMicros: bigint },
): { key: string; amount: bigint }[] {
  const token = unitOf(row.token);
  const targets: { key: string; amount: bigint }[] = [
    { key: counterKey(row.sessionId, "session", token), amount: delta.amount },
    { key: counterKey(row.sessionId, "daily", token, row.day), amount: delta.amount },
  ];
  if (row.usdAmount !== null) {
    targets.push(
      { key: counterKey(row.sessionId, "session", USD), amount: delta.usdMicros },
      { key: counterKey(row.sessionId, "daily", USD, row.day), amount: delta.usdMicros },
    );
  }
  return targets;
}

/**
 * The counters of a ledger row that exist now. Read BEFORE the row changes: only those may be
 * adjusted after it (adjustCountersForRow). A counter seeded from the ledger after the change
 * already counts it; moving it again would count the change twice (a release subtracted twice
 * lets a later reservation through above the budget).
 */
export async function presentCounters(
  cache: Cache,
  row: BudgetReservation,
): Promise<ReadonlySet<string>> {
  const keys = countersOfRow(row, { amount: 0n, usdMicros: 0n }).map((target) => target.key);
  const present = await Promise.all(keys.map(async (key) => (await cache.get(key)) !== null));
  return new Set(keys.filter((_, i) => present[i]));
}

/**
 * Moves the counters a ledger row counts in by `delta(unit)` (negative = release), those that
 * existed before the row changed (`present`, from presentCounters). A counter created since was
 * seeded from a ledger that may already hold the change; one seeded before it holds the row
 * as it was, which over-counts until it expires: the safe side of a budget.
 */
export async function adjustCountersForRow(
  cache: Cache,
  row: BudgetReservation,
  delta: { amount: bigint; usdMicros: bigint },
  present: ReadonlySet<string>,
): Promise<void> {
  await Promise.all(
    countersOfRow(row, delta).map(async ({ key, amount }) => {
      if (amount === 0n || !present.has(key)) return;
      if (amount < 0n) await cache.release(key, -amount);
      else await cache.reserve(key, amount, NO_LIMIT);
    }),
  );
}

/** The micro-dollar value of a row's usd_amount (0 when unknown). */
export function rowUsdMicros(row: BudgetReservation): bigint {
  return row.usdAmount === null ? 0n : usdToMicros(row.usdAmount);
}
