import { discoverServices } from "../../registry/discoverServices.js";
import { defineTool } from "../defineTool.js";
import { discoverServicesSpec } from "../toolSpecs.js";

/** discover_services: GET /api/services/discover as a tool (never pays). */
export const discoverServicesTool = defineTool(discoverServicesSpec, async (args, { db }) => {
  const { services } = await discoverServices(db, {
    q: args.query,
    category: args.category,
    maxPrice: args.maxPrice,
    mcp: args.mcp,
    limit: args.limit,
  });
  return {
    structured: { services },
    text: services.length
      ? services.map((s) => `${s.name} (${s.id}): ${s.price.amount} base units`).join("; ")
      : "No service matches.",
  };
});
