import type { Kysely } from "kysely";
import { getChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { applyPaymentReport } from "../../x402/applyPaymentReport.js";
import { wakeRun } from "./wakeRun.js";
import { type PaymentWake, wakeTokens } from "./wakes.js";

/**
 * A facilitator reports a payment that settled (or failed) after the paid request returned. The
 * report is only a trigger: both "settled" and "failed" are checked on chain by applyPaymentReport
 * (hostile, issue 14), which books the outcome. The run waiting on the payment hook resumes once
 * the payment reached a final state; a "failed" report the chain cannot confirm leaves it waiting.
 */
export async function settleLatePayment(
  db: Kysely<Database>,
  event: { nonce: string; status: "settled" | "failed"; transaction?: string; reason?: string },
): Promise<{ paymentId: string; status: string; resumed: boolean }> {
  const chain = getChainContext();
  const applied = await applyPaymentReport({
    db,
    publicClient: chain.publicClient,
    chain,
    report: event,
  });
  const { payment } = applied;
  let resumed = false;
  if (applied.resolved && payment.run_id) {
    const run = await db
      .selectFrom("runs")
      .select("workflow_run_id")
      .where("id", "=", payment.run_id)
      .executeTakeFirst();
    if (run?.workflow_run_id) {
      const wake: PaymentWake = {
        kind: "payment",
        nonce: payment.nonce,
        status: applied.status === "settled" ? "settled" : "failed",
        ...(payment.tx_hash ? { transaction: payment.tx_hash } : {}),
      };
      resumed = await wakeRun(run.workflow_run_id, wakeTokens.payment(payment.nonce), wake, {
        waitMs: 0,
      });
    }
  }
  return { paymentId: payment.id, status: applied.status, resumed };
}
