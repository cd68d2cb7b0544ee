import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { wakePaymentWait } from "./wakePaymentWait.js";

/**
 * Safety net for lost payment wake-ups (issue 14): a run still waiting while the payment of its
 * step already reached a final state (settled, cancelled, expired) is woken again. The first wake
 * can miss when the payment resolves before the run has registered its `payment:<nonce>` hook, or
 * when the host died in between; the payment row is the truth, the wake only makes the run look.
 * Only the wait a step is in: a run's earlier payments (an earlier action's, settled long ago)
 * already woke theirs, and counting them would fill the batch and starve the runs that are stuck.
 */
export async function reconcilePaymentWaits(db: Kysely<Database>): Promise<number> {
  const cutoff = new Date(Date.now() - 3000);
  const stuck = await db
    .selectFrom("payments")
    .innerJoin("runs", "runs.id", "payments.run_id")
    .innerJoin("run_steps", "run_steps.run_id", "runs.id")
    .selectAll("payments")
    .where("runs.status", "=", "waiting_event")
    .where("run_steps.status", "=", "waiting_event")
    .where(
      sql<string>`run_steps.output -> 'waitFor' ->> 'token'`,
      "=",
      sql<string>`'payment:' || lower(payments.nonce)`,
    )
    .where("payments.status", "in", ["settled", "cancelled", "expired"])
    .where("payments.updated_at", "<", cutoff)
    .orderBy("payments.updated_at")
    .limit(20)
    .execute();
  let woke = 0;
  for (const payment of stuck) if (await wakePaymentWait(db, payment)) woke++;
  return woke;
}
