import type { Kysely } from "kysely";
import { type Cache, getCache } from "../../cache/index.js";
import type { Database } from "../../db/database.js";
import { BaseError } from "../../errors/index.js";
import { divideUp } from "../amounts.js";
import { USD } from "../schemas.js";
import { findReservation, type ReservationRow } from "./ledger.js";
import { finishWindowsScript, windowKeys } from "./scripts.js";
import { PERIOD_MS } from "./windowSpecs.js";

export interface FinishReservationParameters {
  db: Kysely<Database>;
  cache?: Cache;
  reservationId: string;
  /**
   * "settle": the money moved (optionally less than reserved: `actualAmount` base units of the
   * same token, `actualUsdMicros`); "release": it did not move, give the windows back.
   * An unclear outcome is neither: leave the reservation as it is.
   */
  outcome: "settle" | "release";
  actualAmount?: bigint;
  actualUsdMicros?: bigint;
}

class ReservationStateError extends BaseError {
  static override defaultKind = "conflict" as const;
  override name = "PolicyReservationStateError";
}

/**
 * Settles or releases a window reservation, idempotently. Settling with a smaller actual amount
 * lowers every unit's charge in proportion (rounded up); releasing removes it from every window.
 * A released reservation cannot be settled (409); releasing a settled one is refused too, because
 * the money is gone. Returns undefined when nothing was reserved under that id.
 */
export async function finishReservation(
  parameters: FinishReservationParameters,
): Promise<ReservationRow | undefined> {
  const { db, reservationId, outcome } = parameters;
  const result = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("policy_reservations")
      .select(["id", "status"])
      .where("id", "=", reservationId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    const before = (await findReservation(trx, reservationId)) as ReservationRow;
    const target = outcome === "settle" ? "settled" : "released";
    if (before.status === target) return { before, after: before, changed: false };
    if (before.status !== "reserved")
      throw new ReservationStateError(
        `Reservation ${reservationId} is ${before.status}; it cannot be ${target}`,
      );
    const after: ReservationRow = { ...before, status: target };
    if (outcome === "settle" && parameters.actualAmount !== undefined) {
      const actual = parameters.actualAmount;
      const scale = (value: bigint) =>
        before.amount === 0n ? value : divideUp(value * actual, before.amount);
      after.amount = actual;
      after.charges = Object.fromEntries(
        Object.entries(before.charges).map(([unit, value]) => [unit, scale(value)]),
      );
      after.charges[before.token.toUpperCase()] = actual;
      after.usdMicros = before.usdMicros === null ? null : scale(before.usdMicros);
    }
    if (outcome === "settle" && parameters.actualUsdMicros !== undefined) {
      after.usdMicros = parameters.actualUsdMicros;
      after.charges[USD] = parameters.actualUsdMicros;
    }
    await trx
      .updateTable("policy_reservations")
      .set({
        status: target,
        amount: after.amount,
        usd_micros: after.usdMicros,
        charges: JSON.stringify(
          Object.fromEntries(Object.entries(after.charges).map(([u, v]) => [u, v.toString()])),
        ),
        updated_at: new Date(),
      })
      .where("id", "=", reservationId)
      .execute();
    return { before, after, changed: true };
  });
  if (!result) return undefined;
  const cache = parameters.cache ?? (await getCache());
  // Only the call that changed the row touches the counters; the memory backend has none.
  if (result.changed && cache.kind !== "memory") {
    const units = new Set([...Object.keys(result.after.charges), USD]);
    const keys: string[] = [];
    const args = [reservationId];
    for (const period of Object.keys(PERIOD_MS)) {
      for (const unit of units) {
        keys.push(...windowKeys(result.after.subject, period, unit));
        args.push(outcome === "release" ? "" : (result.after.charges[unit] ?? 0n).toString());
      }
    }
    await cache.runScript(finishWindowsScript, keys, args);
  }
  return result.after;
}
