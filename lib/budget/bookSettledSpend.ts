import type { Kysely } from "kysely";
import { z } from "zod";
import { type Cache, getCache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import { adjustCountersForRow, presentCounters, rowUsdMicros } from "./counters.js";
import { type BudgetReservation, selectLedger, toReservation } from "./reservation.js";
import { microsToUsd, usdToMicros, utcDay } from "./units.js";

/** Inputs of bookSettledSpend. */
export interface BookSettledSpendParameters {
  db: Kysely<Database>;
  cache?: Cache;
  /** The ledger row: the step's reservation id (ledgerId) when it had one, else a stable id of its own. */
  ledgerRowId: string;
  sessionId: string;
  runId: string;
  /** Ledger unit of the token (its symbol, as reservations store it). */
  token: string;
  /** What really left the wallet, base units. */
  amount: bigint | string;
  /**
   * Its USD value, for a row nothing reserved. A reserved row keeps the dollars it was reserved at
   * (held prices), scaled to `amount`, whatever the price is when it settles.
   */
  usdAmount?: string | undefined;
  /** The instant whose UTC day a new row counts against (default now). */
  now?: Date;
}

/** The booked row and what booking changed. */
export interface BookSettledSpendReturnType {
  reservation: BudgetReservation;
  /**
   * settled: a reservation became spend; rebooked: a released reservation became spend again
   * (its money left after all); inserted: spend without any reservation; unchanged: already booked.
   */
  change: "settled" | "rebooked" | "inserted" | "unchanged";
}

const parametersSchema = z.object({
  ledgerRowId: z.string().min(1).max(300),
  sessionId: z.string().min(1).max(200),
  runId: z.string().min(1).max(200),
  token: z.string().trim().min(1).max(128),
  amount: z
    .union([z.bigint().nonnegative(), z.string().regex(/^\d{1,78}$/)])
    .transform((v) => BigInt(v)),
  usdAmount: z
    .string()
    .regex(/^\d{1,24}(\.\d{1,30})?$/)
    .optional(),
});

/**
 * Books money that provably left the wallet as settled spend, whatever happened to its
 * reservation: still reserved → settled at the real amount; released (someone believed it failed)
 * → settled again; never reserved → a settled row. Never refused by a limit: the money is gone,
 * and a session booked above its limit simply refuses further spending. Idempotent per row.
 */
export async function bookSettledSpend(
  parameters: BookSettledSpendParameters,
): Promise<BookSettledSpendReturnType> {
  const input = validate(parametersSchema, parameters, "spend booking");
  const id = input.ledgerRowId;
  const cache = parameters.cache ?? (await getCache());
  // Which counters to move is decided before the row's change commits (presentCounters).
  let present: ReadonlySet<string> = new Set();
  const counted = async (reservation: BudgetReservation): Promise<void> => {
    if (cache.kind !== "memory") present = await presentCounters(cache, reservation);
  };
  const result = await parameters.db.transaction().execute(async (trx) => {
    const row = await selectLedger(trx.selectFrom("spend_ledger"))
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) {
      await trx
        .insertInto("spend_ledger")
        .values({
          id,
          session_id: input.sessionId,
          run_id: input.runId,
          token: input.token,
          amount: input.amount,
          usd_amount:
            input.usdAmount === undefined ? null : microsToUsd(usdToMicros(input.usdAmount)),
          status: "settled",
          day: utcDay(parameters.now ?? new Date()),
        })
        .execute();
      const inserted = await selectLedger(trx.selectFrom("spend_ledger"))
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      const reservation = toReservation(inserted);
      await counted(reservation);
      return { before: undefined, reservation, change: "inserted" as const };
    }
    const before = toReservation(row);
    if (before.status === "settled") {
      return { before, reservation: before, change: "unchanged" as const };
    }
    let usd = before.usdAmount;
    if (usd !== null && BigInt(before.amount) > 0n) {
      // Same price per unit as reserved, rounded up so a USD budget is never under-counted.
      const reserved = BigInt(before.amount);
      usd = microsToUsd((usdToMicros(usd) * input.amount + reserved - 1n) / reserved);
    } else if (usd === null && input.usdAmount !== undefined) {
      // Reserved without a price (none was known then): the one known now.
      usd = microsToUsd(usdToMicros(input.usdAmount));
    }
    await trx
      .updateTable("spend_ledger")
      .set({ status: "settled", amount: input.amount, usd_amount: usd, updated_at: new Date() })
      .where("id", "=", id)
      .execute();
    const reservation: BudgetReservation = {
      ...before,
      status: "settled",
      amount: input.amount.toString(),
      usdAmount: usd,
    };
    await counted(reservation);
    return {
      before,
      reservation,
      change: before.status === "released" ? ("rebooked" as const) : ("settled" as const),
    };
  });

  if (result.change !== "unchanged") {
    // Counters mirror reserved + settled: a reserved row moves by the difference, a released or
    // new row counts in full again. (The memory cache keeps none: the ledger itself is read.)
    if (cache.kind !== "memory") {
      const reservedBefore = result.before?.status === "reserved" ? result.before : undefined;
      await adjustCountersForRow(
        cache,
        result.reservation,
        {
          amount: BigInt(result.reservation.amount) - BigInt(reservedBefore?.amount ?? 0),
          usdMicros:
            rowUsdMicros(result.reservation) - (reservedBefore ? rowUsdMicros(reservedBefore) : 0n),
        },
        present,
      );
    }
  }
  return { reservation: result.reservation, change: result.change };
}
