import type { Kysely } from "kysely";
import type { Database, Payment } from "../../db/database.js";
import { wakeRun } from "./wakeRun.js";
import { type PaymentWake, wakeTokens } from "./wakes.js";

/**
 * Wakes the run waiting on `payment:<nonce>` once the payment reached a final state (hostile,
 * issue 14: called by resolveUnknownPayments' onResolved). The payment row is the truth; the wake
 * only makes the run look again sooner than its own timeout would. `waitMs` (default 0) waits for
 * the run to register its hook: a payment can resolve before the run has suspended; the background
 * checks' reconcilePaymentWaits wakes it again otherwise.
 */
export async function wakePaymentWait(
  db: Kysely<Database>,
  payment: Payment,
  options: { waitMs?: number } = {},
): Promise<boolean> {
  if (!payment.run_id) return false;
  const run = await db
    .selectFrom("runs")
    .select("workflow_run_id")
    .where("id", "=", payment.run_id)
    .executeTakeFirst();
  if (!run?.workflow_run_id || run.workflow_run_id.startsWith("starting:")) return false;
  const wake: PaymentWake = {
    kind: "payment",
    nonce: payment.nonce,
    status: payment.status === "settled" ? "settled" : "failed",
    ...(payment.tx_hash ? { transaction: payment.tx_hash } : {}),
  };
  return wakeRun(run.workflow_run_id, wakeTokens.payment(payment.nonce), wake, {
    waitMs: options.waitMs ?? 0,
  });
}
