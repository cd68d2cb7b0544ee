import { getConfig } from "../../../lib/config.js";
import { getDb } from "../../../lib/db/index.js";
import { endpoint } from "../../../lib/http/index.js";
import {
  discoveryQuerySchema,
  discoveryResponseSchema,
  listDevnetDiscoveryResources,
} from "../../../lib/x402/listDevnetDiscoveryResources.js";

/** GET /api/facilitator/discovery/resources — the devnet facilitator's Bazaar catalogue (public). */
export const GET = endpoint(
  {
    route: "/api/facilitator/discovery/resources",
    method: "GET",
    operationId: "listFacilitatorDiscoveryResources",
    summary: "Devnet x402 facilitator: Bazaar discovery catalogue (devnet only)",
    tags: ["facilitator"],
    auth: false,
    rateLimit: "public:facilitator",
    enabled: () => getConfig().PAYGENT_NETWORK === "devnet",
    query: discoveryQuerySchema,
    success: {
      status: 200,
      description: "{x402Version, items, pagination}",
      schema: discoveryResponseSchema,
    },
  },
  async ({ request, query }) => {
    const baseUrl = getConfig().PUBLIC_BASE_URL ?? new URL(request.url).origin;
    return listDevnetDiscoveryResources(await getDb(), { baseUrl, query });
  },
);
