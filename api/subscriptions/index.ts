import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, parseQuery, route } from "../../lib/http/index.js";
import {
  createSubscription,
  createSubscriptionSchema,
  getSessionForPrincipal,
  listSubscriptions,
  listSubscriptionsSchema,
} from "../../lib/subscriptions/index.js";

/** GET /api/subscriptions — subscriptions of the caller's sessions (all for admins), newest first. */
export const GET = route("/api/subscriptions", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listSubscriptionsSchema);
  const db = await getDb();
  if (query.sessionId) await getSessionForPrincipal(db, principal, query.sessionId);
  return json(
    await listSubscriptions(db, {
      ...query,
      ...(principal.scope === "admin" ? {} : { apiKeyId: principal.keyId }),
    }),
  );
});

/**
 * POST /api/subscriptions {sessionId, serviceId, period} — subscribes a session to a service.
 * The first period is due at once and access starts when it is paid by the renewal run.
 */
export const POST = route("/api/subscriptions", async (request) => {
  const principal = await guard(request, { rateLimit: "command" });
  const body = await parseJsonBody(request, createSubscriptionSchema);
  const db = await getDb();
  await getSessionForPrincipal(db, principal, body.sessionId);
  return json(await createSubscription(db, body), { status: 201 });
});
