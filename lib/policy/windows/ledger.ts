import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { divideUp } from "../amounts.js";
import { USD } from "../schemas.js";

/** One policy_reservations row as the window code needs it. */
export interface ReservationRow {
  id: string;
  subject: string;
  token: string;
  amount: bigint;
  usdMicros: bigint | null;
  charges: Record<string, bigint>;
  status: "reserved" | "settled" | "released";
  reservedAt: Date;
}

/** Reads a reservation row (optionally inside a transaction). */
export async function findReservation(
  db: Kysely<Database>,
  id: string,
): Promise<ReservationRow | undefined> {
  const row = await db
    .selectFrom("policy_reservations")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    subject: row.subject,
    token: row.token,
    amount: BigInt(row.amount),
    usdMicros: row.usd_micros === null ? null : BigInt(row.usd_micros),
    charges: Object.fromEntries(
      Object.entries(row.charges).map(([unit, value]) => [unit, BigInt(value)]),
    ),
    status: row.status,
    reservedAt: row.reserved_at,
  };
}

/**
 * What a reservation charges a window in `unit`: the amount recorded for that unit, else (a unit
 * the policy did not have when it reserved) its USD value converted at `perWhole` micro-dollars
 * per whole token, rounded up; 0 when it has neither.
 */
export function chargeIn(
  row: Pick<ReservationRow, "charges" | "usdMicros">,
  unit: { name: string; decimals: number },
  perWhole: bigint | undefined,
): bigint {
  const recorded = row.charges[unit.name];
  if (recorded !== undefined) return recorded;
  if (row.usdMicros === null) return 0n;
  if (unit.name === USD) return row.usdMicros;
  if (!perWhole) return 0n;
  return divideUp(row.usdMicros * 10n ** BigInt(unit.decimals), perWhole);
}

/** Count and total (in `unit`) of a subject's live reservations since `since` (exclusive). */
export async function sumWindow(
  db: Kysely<Database>,
  parameters: {
    subject: string;
    since: Date;
    unit: { name: string; decimals: number };
    perWhole?: bigint;
  },
): Promise<{ count: number; total: bigint }> {
  const { unit, perWhole } = parameters;
  const fallback =
    unit.name === USD
      ? sql`usd_micros`
      : perWhole
        ? sql`ceil(usd_micros * ${(10n ** BigInt(unit.decimals)).toString()}::numeric / ${perWhole.toString()}::numeric)`
        : sql`0`;
  const row = await db
    .selectFrom("policy_reservations")
    .select([
      sql<number>`count(*)::int`.as("count"),
      sql<string>`coalesce(sum(coalesce((charges->>${unit.name})::numeric, ${fallback}, 0)), 0)::text`.as(
        "total",
      ),
    ])
    .where("subject", "=", parameters.subject)
    .where("status", "in", ["reserved", "settled"])
    .where("reserved_at", ">", parameters.since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), total: BigInt(row.total.split(".")[0] ?? "0") };
}
