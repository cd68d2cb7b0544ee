import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { wakePaymentWait } from "./wakePaymentWait.js";

/**
 * Safety net for lost payment wake-ups (issue 14): a run still waiting while the payment of its
 * step already reached a final state (settled, cancelled, expired) is woken again. The first wake
 * can miss when the payment resolves before the run has registered its `payment:<nonce>` hook, or
 * when the host died in between; the payment row is the truth, the wake only makes the run look.
 */
export async function reconcilePaymentWaits(db: Kysely<Database>): Promise<number> {
  const cutoff = new Date(Date.now() - 3000);
  const stuck = await db
    .selectFrom("payments")
    .innerJoin("runs", "runs.id", "payments.run_id")
    .selectAll("payments")
    .where("runs.status", "=", "waiting_event")
    .where("payments.status", "in", ["settled", "cancelled", "expired"])
    .where("payments.updated_at", "<", cutoff)
    .orderBy("payments.updated_at")
    .limit(20)
    .execute();
  let woke = 0;
  for (const payment of stuck) if (await wakePaymentWait(db, payment)) woke++;
  return woke;
}
