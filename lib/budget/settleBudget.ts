import type { Kysely } from "kysely";
import { z } from "zod";
import { type Cache, getCache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import { adjustCountersForRow, presentCounters, rowUsdMicros } from "./counters.js";
import { BudgetReservationError } from "./errors.js";
import { type BudgetReservation, ledgerId, selectLedger, toReservation } from "./reservation.js";
import { microsToUsd, usdToMicros } from "./units.js";

export interface SettleBudgetParameters {
  db: Kysely<Database>;
  cache?: Cache;
  runId: string;
  stepIndex: number;
  /**
   * What the step really spent (base units), when it differs from the reservation. Its dollars are
   * the reservation's, scaled: a limit counts a spend at the (held) price it was reserved at.
   */
  actualAmount?: bigint | string;
}

const parametersSchema = z.object({
  runId: z.string().min(1),
  stepIndex: z.number().int().min(0),
  actualAmount: z
    .union([z.bigint().nonnegative(), z.string().regex(/^\d{1,78}$/)])
    .transform((v) => BigInt(v))
    .optional(),
});

/**
 * Marks a step's reservation as spent, optionally with the actual amount (a cheaper swap gives
 * the difference back to the budget). Idempotent: settling a settled reservation returns it.
 */
export async function settleBudget(parameters: SettleBudgetParameters): Promise<BudgetReservation> {
  const input = validate(parametersSchema, parameters, "budget settlement");
  const id = ledgerId(input);
  const cache = parameters.cache ?? (await getCache());
  let present: ReadonlySet<string> = new Set();
  const { before, after } = await parameters.db.transaction().execute(async (trx) => {
    const row = await selectLedger(trx.selectFrom("spend_ledger"))
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new BudgetReservationError("not_found", `No budget reservation ${id}`);
    const current = toReservation(row);
    if (current.status === "settled") return { before: current, after: current };
    if (current.status === "released") {
      throw new BudgetReservationError(
        "conflict",
        `Budget reservation ${id} was released and cannot be settled`,
      );
    }
    // Which counters to adjust is decided before the row changes (presentCounters); the row is
    // locked, so no other settle or release moves it meanwhile.
    if (cache.kind !== "memory") present = await presentCounters(cache, current);
    const amount = input.actualAmount ?? BigInt(current.amount);
    let usd = current.usdAmount;
    if (usd !== null && input.actualAmount !== undefined && BigInt(current.amount) > 0n) {
      // Same price per unit as reserved, rounded up so the USD budget is never under-counted.
      const reservedMicros = usdToMicros(usd);
      const reservedAmount = BigInt(current.amount);
      usd = microsToUsd((reservedMicros * amount + reservedAmount - 1n) / reservedAmount);
    }
    await trx
      .updateTable("spend_ledger")
      .set({ status: "settled", amount, usd_amount: usd, updated_at: new Date() })
      .where("id", "=", id)
      .execute();
    return {
      before: current,
      after: { ...current, status: "settled" as const, amount: String(amount), usdAmount: usd },
    };
  });
  if (before.status === "reserved" && cache.kind !== "memory") {
    await adjustCountersForRow(
      cache,
      before,
      {
        amount: BigInt(after.amount) - BigInt(before.amount),
        usdMicros: rowUsdMicros(after) - rowUsdMicros(before),
      },
      present,
    );
  }
  return after;
}
