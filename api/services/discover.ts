import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { discoverQuerySchema, discoverServices } from "../../lib/registry/index.js";

/**
 * GET /api/services/discover?category=&q=&minPrice=&maxPrice=&minReputation=&mcp=&sort=&limit=&cursor=
 * Finds services for the agent; answers are cached for 5 minutes and invalidated by any registry write.
 */
export const GET = route("/api/services/discover", async (request) => {
  await guard(request);
  const query = parseQuery(request, discoverQuerySchema);
  return json(await discoverServices(await getDb(), query));
});
