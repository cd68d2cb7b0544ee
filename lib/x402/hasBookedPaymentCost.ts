import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { RunCost } from "../runs/cost.js";
import { holdsPaymentCost } from "./bookPaymentCost.js";

/**
 * True when the run's cost already holds this payment's x402 item: a late settlement booked it
 * (bookPaymentCost) before the pay step came back to collect the payment. Read now rather than
 * taken from the run the step's gate read, which may predate that booking.
 */
export async function hasBookedPaymentCost(
  db: Kysely<Database>,
  parameters: { runId: string; paymentId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("runs")
    .select("cost")
    .where("id", "=", parameters.runId)
    .executeTakeFirst();
  return holdsPaymentCost((row?.cost as RunCost | null)?.items ?? [], parameters.paymentId);
}
