import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  createEndpoint,
  createEndpointRequest,
  listEndpoints,
} from "../../lib/notifications/index.js";
import {
  createdNotificationEndpoint,
  notificationEndpointList,
} from "../../lib/notifications/responses.js";

/** GET /api/notifications/endpoints — the outbound webhook endpoints (never their secrets). */
export const GET = endpoint(
  {
    route: "/api/notifications/endpoints",
    method: "GET",
    operationId: "listNotificationEndpoints",
    summary: "Outbound webhook endpoints, never their secrets (admin)",
    tags: ["notifications"],
    auth: "admin",
    success: { status: 200, description: "The endpoints", schema: notificationEndpointList },
  },
  async () => ({ endpoints: await listEndpoints(await getDb()) }),
);

/** POST /api/notifications/endpoints {url, events} — 201 {id, secret}; the secret is shown once. */
export const POST = endpoint(
  {
    route: "/api/notifications/endpoints",
    method: "POST",
    operationId: "createNotificationEndpoint",
    summary: "Register a signed outbound webhook endpoint; its secret is shown once (admin)",
    tags: ["notifications"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "CreateNotificationEndpointRequest", schema: createEndpointRequest },
    success: {
      status: 201,
      description: "The endpoint with its signing secret",
      schema: createdNotificationEndpoint,
      headers: { "cache-control": "no-store" },
    },
    responses: { 422: "A URL that is not public (loopback/private outside the devnet)" },
  },
  async ({ principal, body }) =>
    await createEndpoint(await getDb(), {
      url: body.url,
      events: body.events,
      createdBy: principal.keyId,
    }),
);
