import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, route, validate } from "../../lib/http/index.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";
import {
  cancelSubscription,
  getSubscription,
  SubscriptionNotFoundError,
} from "../../lib/subscriptions/index.js";

export const subscriptionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, "must be a subscription id");

async function loadOwned(request: Request, id: string) {
  const principal = await guard(request);
  const db = await getDb();
  const subscription = await getSubscription(db, id);
  try {
    await getSessionFor(db, principal, subscription.sessionId);
  } catch (error) {
    // Someone else's subscription looks exactly like a missing one.
    if (error instanceof ClientError) throw new SubscriptionNotFoundError(id);
    throw error;
  }
  return { db, subscription };
}

/** GET /api/subscriptions/{id} — one subscription. */
export const GET = route("/api/subscriptions/[id]", async (request, { params }) => {
  const id = validate(subscriptionId, params.id, "subscription id");
  return json((await loadOwned(request, id)).subscription);
});

/** DELETE /api/subscriptions/{id} — cancels: no more renewals; the paid period stays usable. */
export const DELETE = route("/api/subscriptions/[id]", async (request, { params }) => {
  const id = validate(subscriptionId, params.id, "subscription id");
  const { db } = await loadOwned(request, id);
  return json(await cancelSubscription(db, id));
});
