import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { acceptedRun } from "../../lib/runs/responses.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { getSessionFor } from "../../lib/sessions/getSession.js";
import { listSubscriptions } from "../../lib/subscriptions/listSubscriptions.js";
import { subscriptionPage } from "../../lib/subscriptions/responses.js";
import {
  createSubscriptionRequest,
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
    success: { status: 200, description: "A page of subscriptions", schema: subscriptionPage },
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
 * POST /api/subscriptions {sessionId?, serviceId, period} — subscribes a session (a new one when
 * none is named, like execute) to a service by starting a durable run (202); see
 * startSubscriptionRun. The answer names the subscriptionId, which GET /api/subscriptions/{id}
 * serves once the run has paid the first period. An Idempotency-Key header makes retries return
 * the same run.
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
    keyControls: "cached",
    body: { name: "CreateSubscriptionRequest", schema: createSubscriptionRequest },
    idempotency: true,
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
      schema: acceptedRun,
    },
    responses: {
      404: "The session or the service does not exist (or the session is not the caller's)",
      409: "The session already has an active subscription to the service",
      423: "The wallet or this key is frozen",
    },
  },
  async ({ principal, body, idempotencyKey }) => {
    const db = await getDb();
    // Frozen → 423; the policy's limits for the session created when none is named.
    const sessionLimits = await checkStartPolicy(db, { principal });
    const { run, created, subscriptionId } = await startSubscriptionRun(db, {
      principal,
      ...body,
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created, {
      subscriptionId,
      serviceId: body.serviceId,
      period: body.period,
    });
  },
);
