import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { discoverQuerySchema, discoverServices } from "../../lib/registry/index.js";

/**
 * GET /api/services/discover?category=&q=&minPrice=&maxPrice=&minReputation=&mcp=&sort=&limit=&cursor=
 * Finds services for the agent; answers are cached for 5 minutes and invalidated by any registry write.
 */
export const GET = endpoint(
  {
    route: "/api/services/discover",
    method: "GET",
    operationId: "discoverServices",
    summary: "Find services by category, words, price and reputation",
    tags: ["services"],
    auth: "any",
    query: discoverQuerySchema,
    success: { status: 200, description: "A page of matching services" },
  },
  async ({ query }) => await discoverServices(await getDb(), query),
);
