import type { Kysely } from "kysely";
import type { Address, Hex } from "viem";
import { getChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import { findAuthorizationUse } from "../../x402/findAuthorizationUse.js";
import { wakeRun } from "./wakeRun.js";
import { type PaymentWake, wakeTokens } from "./wakes.js";

/**
 * A facilitator reports a payment that settled (or failed) after the paid request returned. The
 * report is only a trigger: "settled" is believed once the chain shows the authorization used.
 * Then the run waiting on the payment hook resumes.
 */
export async function settleLatePayment(
  db: Kysely<Database>,
  event: { nonce: string; status: "settled" | "failed"; transaction?: string; reason?: string },
): Promise<{ paymentId: string; status: string; resumed: boolean }> {
  const nonce = event.nonce.toLowerCase();
  const payment = await db
    .selectFrom("payments")
    .selectAll()
    .where("nonce", "=", nonce)
    .executeTakeFirst();
  if (!payment) throw new ClientError("not_found", `No payment with nonce ${nonce}`);
  if (payment.status !== "pending")
    return { paymentId: payment.id, status: payment.status, resumed: false };

  const now = new Date();
  if (event.status === "settled") {
    if (!payment.payer)
      throw new ClientError("conflict", "Payment has no recorded payer; cannot verify settlement");
    const use = await findAuthorizationUse(getChainContext().publicClient, {
      asset: payment.asset as Address,
      payer: payment.payer as Address,
      nonce: nonce as Hex,
      // Recorded before the first send: the search never scans the chain's whole history.
      fromBlock: payment.search_from_block ? BigInt(payment.search_from_block) : undefined,
    });
    if (!use.used)
      throw new ClientError("conflict", "The chain does not show this authorization as used yet");
    await db
      .updateTable("payments")
      .set({
        status: "settled",
        tx_hash: use.transaction ?? event.transaction ?? null,
        settled_at: now,
        updated_at: now,
      })
      .where("id", "=", payment.id)
      .where("status", "=", "pending")
      .execute();
  } else {
    await db
      .updateTable("payments")
      .set({
        status: "failed",
        error: event.reason ?? "facilitator reported failure",
        updated_at: now,
      })
      .where("id", "=", payment.id)
      .where("status", "=", "pending")
      .execute();
  }
  let resumed = false;
  if (payment.run_id) {
    const run = await db
      .selectFrom("runs")
      .select("workflow_run_id")
      .where("id", "=", payment.run_id)
      .executeTakeFirst();
    if (run?.workflow_run_id) {
      const wake: PaymentWake = {
        kind: "payment",
        nonce,
        status: event.status,
        transaction: event.transaction,
      };
      resumed = await wakeRun(run.workflow_run_id, wakeTokens.payment(nonce), wake, { waitMs: 0 });
    }
  }
  return { paymentId: payment.id, status: event.status, resumed };
}
