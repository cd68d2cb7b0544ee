import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { SubscriptionConflictError, SubscriptionNotFoundError } from "../errors.js";
import { type SubscriptionView, toSubscriptionView } from "../subscriptionView.js";

/**
 * Links the subscription to the run that renews it, unless another run already renews it: two
 * renewal runs of one subscription would each pay every period (their nonces differ), so the
 * second link is a SubscriptionConflictError. Linking the same run again is a no-op.
 */
export async function attachRenewalRun(
  db: Kysely<Database>,
  subscriptionId: string,
  runId: string,
): Promise<SubscriptionView> {
  const row = await db
    .updateTable("service_subscriptions")
    .set({ run_id: runId, updated_at: new Date() })
    .where("id", "=", subscriptionId)
    .where((eb) => eb.or([eb("run_id", "is", null), eb("run_id", "=", runId)]))
    .returningAll()
    .executeTakeFirst();
  if (row) return toSubscriptionView(row);
  const current = await db
    .selectFrom("service_subscriptions")
    .select(["service_id"])
    .where("id", "=", subscriptionId)
    .executeTakeFirst();
  if (!current) throw new SubscriptionNotFoundError(subscriptionId);
  throw new SubscriptionConflictError(subscriptionId, current.service_id);
}
