import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  createService,
  discoverQuerySchema,
  discoverServices,
  serviceInputSchema,
} from "../../lib/registry/index.js";

/** GET /api/services — the registry, best reputation first, with the discovery filters and keyset pages. */
export const GET = endpoint(
  {
    route: "/api/services",
    method: "GET",
    operationId: "listServices",
    summary: "The service registry, best reputation first",
    tags: ["services"],
    auth: "any",
    query: discoverQuerySchema,
    success: { status: 200, description: "A page of services" },
  },
  async ({ query }) => await discoverServices(await getDb(), query),
);

/** POST /api/services — registers a paid service. Admin only. */
export const POST = endpoint(
  {
    route: "/api/services",
    method: "POST",
    operationId: "createService",
    summary: "Register a paid service (admin)",
    tags: ["services"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "ServiceInput", schema: serviceInputSchema },
    success: { status: 201, description: "The registered service" },
    responses: { 409: "A service with this name or endpoint exists" },
  },
  async ({ body }) => await createService(await getDb(), body),
);
