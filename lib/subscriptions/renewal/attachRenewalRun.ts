import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { SubscriptionNotFoundError } from "../errors.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/** Links the subscription to the run that renews it. */
export async function attachRenewalRun(
  db: Kysely<Database>,
  subscriptionId: string,
  runId: string,
): Promise<SubscriptionView> {
  const row = await db
    .updateTable("service_subscriptions")
    .set({ run_id: runId, updated_at: new Date() })
    .where("id", "=", subscriptionId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new SubscriptionNotFoundError(subscriptionId);
  return toSubscriptionView(row);
}
