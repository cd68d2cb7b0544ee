import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";

/**
 * The id of the session's subscription to a service whose status is "active" (it renews), whatever
 * its period; at most one exists. Not getActiveSubscription, which asks whether access is granted
 * now. Pass the transaction when the caller holds the session's row lock.
 */
export async function findActiveSubscriptionId(
  db: Kysely<Database>,
  sessionId: string,
  serviceId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("service_subscriptions")
    .select("id")
    .where("session_id", "=", sessionId)
    .where("service_id", "=", serviceId)
    .where("status", "=", "active")
    .executeTakeFirst();
  return row?.id;
}
