import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";
import { listSubscriptions } from "../../lib/subscriptions/listSubscriptions.js";
import {
  createSubscriptionSchema,
  listSubscriptionsSchema,
} from "../../lib/subscriptions/schemas.js";
import { startSubscriptionRun } from "../../lib/subscriptions/startSubscriptionRun.js";

/** GET /api/subscriptions — subscriptions of the caller's sessions (all for admins), newest first. */
export const GET = endpoint(
  {
    route: "/api/subscriptions",
    method: "GET",
    operationId: "listSubscriptions",
    summary: "Subscriptions of the caller's sessions, newest first",
    tags: ["subscriptions"],
    auth: "any",
    query: listSubscriptionsSchema,
    success: { status: 200, description: "A page of subscriptions" },
  },
  async ({ principal, query }) => {
    const db = await getDb();
    if (query.sessionId) await getSessionFor(db, principal, query.sessionId);
    return await listSubscriptions(db, {
      ...query,
      ...(principal.scope === "admin" ? {} : { apiKeyId: principal.keyId }),
    });
  },
);

/**
 * POST /api/subscriptions {sessionId, serviceId, period} — subscribes a session to a service by
 * starting a durable run (202); see startSubscriptionRun. Follow links.self; the subscription
 * appears in GET /api/subscriptions once the first period is paid. An Idempotency-Key header
 * makes retries return the same run.
 */
export const POST = endpoint(
  {
    route: "/api/subscriptions",
    method: "POST",
    operationId: "createSubscription",
    summary: "Subscribe a session to a service; renewals run as durable sleeps",
    tags: ["subscriptions"],
    auth: ["admin", "agent"],
    rateLimit: "command",
    body: { name: "CreateSubscriptionRequest", schema: createSubscriptionSchema },
    idempotency: true,
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
    responses: { 409: "The session already has an active subscription to the service" },
  },
  async ({ principal, body, idempotencyKey }) => {
    const { run, created } = await startSubscriptionRun(await getDb(), {
      principal,
      ...body,
      idempotencyKey,
    });
    return acceptedResponse(run, created, { serviceId: body.serviceId, period: body.period });
  },
);
