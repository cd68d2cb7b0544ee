import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  deleteService,
  getService,
  serviceId,
  serviceResponse,
  serviceUpdateRequest,
  toServiceResponse,
  toServiceUpdate,
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
    success: { status: 200, description: "The service", schema: serviceResponse },
  },
  async ({ params }) => toServiceResponse(await getService(await getDb(), params.id)),
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
    body: { name: "ServiceUpdateRequest", schema: serviceUpdateRequest },
    success: { status: 200, description: "The updated service", schema: serviceResponse },
    responses: { 409: "Another service has this name" },
  },
  async ({ params, body }) => {
    const db = await getDb();
    const current = await getService(db, params.id);
    const patch = toServiceUpdate(body, current.price.network);
    return toServiceResponse(await updateService(db, params.id, patch));
  },
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
    success: {
      status: 200,
      description: "Deleted",
      schema: z.object({ id: z.string(), deleted: z.literal(true) }),
    },
    responses: { 409: "Payments or subscriptions refer to the service" },
  },
  async ({ params }) => {
    await deleteService(await getDb(), params.id);
    return { id: params.id, deleted: true as const };
  },
);
