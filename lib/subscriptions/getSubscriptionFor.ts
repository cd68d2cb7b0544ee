import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { errorKind } from "../errors/index.js";
import { getSessionFor } from "../sessions/getSession.js";
import { SubscriptionNotFoundError } from "./errors.js";
import { getSubscription } from "./getSubscription.js";
import type { SubscriptionView } from "./subscriptionView.js";

/** One subscription the principal may see (its session's key, or an admin); 404 otherwise. */
export async function getSubscriptionFor(
  db: Kysely<Database>,
  principal: Principal,
  subscriptionId: string,
): Promise<SubscriptionView> {
  const subscription = await getSubscription(db, subscriptionId);
  try {
    await getSessionFor(db, principal, subscription.sessionId);
  } catch (error) {
    // Someone else's subscription looks exactly like a missing one.
    if (errorKind(error) === "not_found") throw new SubscriptionNotFoundError(subscriptionId);
    throw error;
  }
  return subscription;
}
