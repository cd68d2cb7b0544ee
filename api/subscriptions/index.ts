import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, parseQuery, route } from "../../lib/http/index.js";
import { findServiceByNameOrUrl, getService } from "../../lib/registry/index.js";
import { acceptedResponse, idempotencyKeyOf } from "../../lib/runs/start/accepted.js";
import { startRun } from "../../lib/runs/start/startRun.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";
import {
  createSubscriptionSchema,
  listSubscriptions,
  listSubscriptionsSchema,
  SubscriptionConflictError,
  subscribeCommand,
} from "../../lib/subscriptions/index.js";

/** GET /api/subscriptions — subscriptions of the caller's sessions (all for admins), newest first. */
export const GET = route("/api/subscriptions", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listSubscriptionsSchema);
  const db = await getDb();
  if (query.sessionId) await getSessionFor(db, principal, query.sessionId);
  return json(
    await listSubscriptions(db, {
      ...query,
      ...(principal.scope === "admin" ? {} : { apiKeyId: principal.keyId }),
    }),
  );
});

/**
 * POST /api/subscriptions {sessionId, serviceId, period} — subscribes a session to a service by
 * starting a durable run (202): it reserves budget, asks for approval above the threshold, pays
 * the first period through x402, records the subscription and starts its renewal run. Follow
 * links.self; the subscription appears in GET /api/subscriptions once the first period is paid.
 * An Idempotency-Key header makes retries return the same run.
 */
export const POST = route("/api/subscriptions", async (request) => {
  const principal = await guard(request, { rateLimit: "command" });
  const body = await parseJsonBody(request, createSubscriptionSchema);
  const idempotencyKey = idempotencyKeyOf(request);
  const db = await getDb();
  await getSessionFor(db, principal, body.sessionId);
  const service = await getService(db, body.serviceId);
  const resolved = await findServiceByNameOrUrl(db, service.endpoint);
  if (resolved?.id !== service.id) {
    throw new ClientError(
      "conflict",
      `Service ${service.id} shares its endpoint with ${resolved?.id}; cannot subscribe by endpoint`,
    );
  }
  // Refuse a second active subscription before paying for anything (the run would refuse later).
  const active = await listSubscriptions(db, {
    sessionId: body.sessionId,
    serviceId: body.serviceId,
    status: "active",
    limit: 1,
  });
  if (active.subscriptions[0])
    throw new SubscriptionConflictError(active.subscriptions[0].id, body.serviceId);
  const { run, created } = await startRun(db, {
    principal,
    sessionId: body.sessionId,
    command: subscribeCommand(service, body.period),
    idempotencyKey,
  });
  return acceptedResponse(run, created, { serviceId: service.id, period: body.period });
});
