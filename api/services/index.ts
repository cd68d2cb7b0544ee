import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, parseQuery, route } from "../../lib/http/index.js";
import {
  createService,
  discoverQuerySchema,
  discoverServices,
  serviceInputSchema,
} from "../../lib/registry/index.js";

/** GET /api/services — the registry, best reputation first, with the discovery filters and keyset pages. */
export const GET = route("/api/services", async (request) => {
  await guard(request);
  const query = parseQuery(request, discoverQuerySchema);
  return json(await discoverServices(await getDb(), query));
});

/** POST /api/services — registers a paid service. Admin only. */
export const POST = route("/api/services", async (request) => {
  await guard(request, { auth: "admin", rateLimit: "command" });
  const body = await parseJsonBody(request, serviceInputSchema);
  return json(await createService(await getDb(), body), { status: 201 });
});
