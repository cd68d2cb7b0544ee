import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  deleteService,
  getService,
  serviceId,
  serviceUpdateSchema,
  updateService,
} from "../../lib/registry/index.js";

/** GET /api/services/{id} — one service with its price, reputation and call statistics. */
export const GET = endpoint(
  {
    route: "/api/services/[id]",
    method: "GET",
    operationId: "getService",
    summary: "One service with its price, reputation and call statistics",
    tags: ["services"],
    auth: "any",
    params: { id: serviceId },
    success: { status: 200, description: "The service" },
  },
  async ({ params }) => await getService(await getDb(), params.id),
);

/** PUT /api/services/{id} — changes declared fields (any subset). Admin only. */
export const PUT = endpoint(
  {
    route: "/api/services/[id]",
    method: "PUT",
    operationId: "updateService",
    summary: "Change declared fields of a service (admin)",
    tags: ["services"],
    auth: "admin",
    rateLimit: "command",
    params: { id: serviceId },
    body: { name: "ServiceUpdate", schema: serviceUpdateSchema },
    success: { status: 200, description: "The updated service" },
  },
  async ({ params, body }) => await updateService(await getDb(), params.id, body),
);

/** DELETE /api/services/{id} — removes a service nothing refers to (else 409). Admin only. */
export const DELETE = endpoint(
  {
    route: "/api/services/[id]",
    method: "DELETE",
    operationId: "deleteService",
    summary: "Remove a service nothing refers to (admin)",
    tags: ["services"],
    auth: "admin",
    rateLimit: "command",
    params: { id: serviceId },
    success: { status: 200, description: "Deleted" },
    responses: { 409: "Payments or subscriptions refer to the service" },
  },
  async ({ params }) => {
    await deleteService(await getDb(), params.id);
    return { id: params.id, deleted: true };
  },
);
