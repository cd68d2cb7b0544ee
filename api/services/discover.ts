import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  discoverRequestQuery,
  discoverServices,
  servicePage,
  toDiscoverParameters,
  toServiceResponse,
} from "../../lib/registry/index.js";

/**
 * GET /api/services/discover?category=&q=&minPrice=&maxPrice=&priceToken=&minReputation=&mcp=&sort=&limit=&cursor=
 * Finds services for the agent; prices are whole tokens of priceToken. Answers are cached for 5
 * minutes and invalidated by any registry write.
 */
export const GET = endpoint(
  {
    route: "/api/services/discover",
    method: "GET",
    operationId: "discoverServices",
    summary: "Find services by category, words, price and reputation",
    tags: ["services"],
    auth: "any",
    query: discoverRequestQuery,
    success: { status: 200, description: "A page of matching services", schema: servicePage },
  },
  async ({ query }) => {
    const page = await discoverServices(await getDb(), toDiscoverParameters(query));
    return { ...page, services: page.services.map(toServiceResponse) };
  },
);
