import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { SubscriptionNotFoundError } from "./errors.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

/** Loads one subscription; throws SubscriptionNotFoundError (404). */
export async function getSubscription(db: Kysely<Database>, id: string): Promise<SubscriptionView> {
  const row = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new SubscriptionNotFoundError(id);
  return toSubscriptionView(row);
}
