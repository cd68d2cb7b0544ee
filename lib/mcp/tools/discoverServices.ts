import { discoverServices } from "../../registry/discoverServices.js";
import { toServiceResponse } from "../../registry/serviceResponse.js";
import { toDiscoverParameters } from "../../registry/toDiscoverParameters.js";
import { defineTool } from "../defineTool.js";
import { discoverServicesSpec } from "../toolSpecs.js";

/** discover_services: GET /api/services/discover as a tool (never pays); amounts as in REST. */
export const discoverServicesTool = defineTool(discoverServicesSpec, async (args, { db }) => {
  const page = await discoverServices(
    db,
    toDiscoverParameters({
      q: args.query,
      category: args.category,
      maxPrice: args.maxPrice?.amount,
      priceToken: args.maxPrice?.token,
      mcp: args.mcp,
      limit: args.limit,
      sort: "reputation",
    }),
  );
  const services = page.services.map(toServiceResponse);
  return {
    structured: { services },
    text: services.length
      ? services.map((s) => `${s.name} (${s.id}): ${s.price.formatted} per call`).join("; ")
      : "No service matches.",
  };
});
