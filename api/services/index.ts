import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  createService,
  discoverRequestQuery,
  discoverServices,
  servicePage,
  serviceRequest,
  serviceResponse,
  toDiscoverParameters,
  toServiceInput,
  toServiceResponse,
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
    query: discoverRequestQuery,
    success: { status: 200, description: "A page of services", schema: servicePage },
  },
  async ({ query }) => {
    const page = await discoverServices(await getDb(), toDiscoverParameters(query));
    return { ...page, services: page.services.map(toServiceResponse) };
  },
);

/**
 * POST /api/services — registers a paid service. Admin only. Its price is whole tokens of a token
 * named by symbol or address on a network named by name or CAIP-2 id; stored as base units of the
 * token's address on the CAIP-2 network.
 */
export const POST = endpoint(
  {
    route: "/api/services",
    method: "POST",
    operationId: "createService",
    summary: "Register a paid service (admin)",
    tags: ["services"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "ServiceRequest", schema: serviceRequest },
    success: { status: 201, description: "The registered service", schema: serviceResponse },
    responses: { 409: "A service with this name or endpoint exists" },
  },
  async ({ body }) => toServiceResponse(await createService(await getDb(), toServiceInput(body))),
);
