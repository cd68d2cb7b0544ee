import type { Kysely } from "kysely";
import { getChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { applyPaymentReport } from "../../x402/applyPaymentReport.js";
import { wakePaymentWait } from "./wakePaymentWait.js";

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
  const resumed = applied.resolved
    ? await wakePaymentWait(db, applied.payment, { waitMs: 5000 })
    : false;
  return { paymentId: applied.payment.id, status: applied.status, resumed };
}
