import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, route, validate } from "../../lib/http/index.js";
import {
  deleteService,
  getService,
  serviceUpdateSchema,
  updateService,
} from "../../lib/registry/index.js";

export const serviceId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "must be a service id");

/** GET /api/services/{id} — one service with its price, reputation and call statistics. */
export const GET = route("/api/services/[id]", async (request, { params }) => {
  await guard(request);
  const id = validate(serviceId, params.id, "service id");
  return json(await getService(await getDb(), id));
});

/** PUT /api/services/{id} — changes declared fields (any subset). Admin only. */
export const PUT = route("/api/services/[id]", async (request, { params }) => {
  await guard(request, { auth: "admin", rateLimit: "command" });
  const id = validate(serviceId, params.id, "service id");
  const body = await parseJsonBody(request, serviceUpdateSchema);
  return json(await updateService(await getDb(), id, body));
});

/** DELETE /api/services/{id} — removes a service nothing refers to (else 409). Admin only. */
export const DELETE = route("/api/services/[id]", async (request, { params }) => {
  await guard(request, { auth: "admin", rateLimit: "command" });
  const id = validate(serviceId, params.id, "service id");
  await deleteService(await getDb(), id);
  return json({ id, deleted: true });
});
