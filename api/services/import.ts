import { getConfig } from "../../lib/config.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { importBazaarResources } from "../../lib/registry/bazaar/importBazaarResources.js";
import {
  importServicesRequest,
  importServicesResponse,
} from "../../lib/registry/bazaar/schemas.js";

/**
 * POST /api/services/import {facilitatorUrl, maxEntries?} — imports a facilitator's x402 Bazaar
 * catalogue into the registry (what `npm run registry:import` does). Admin only: the entries are
 * untrusted, each is validated and SSRF-checked, and imported services are flagged as such.
 */
export const POST = endpoint(
  {
    route: "/api/services/import",
    method: "POST",
    operationId: "importServices",
    summary: "Import a facilitator's x402 Bazaar catalogue into the registry (admin)",
    tags: ["services"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "ImportServicesRequest", schema: importServicesRequest },
    responses: {
      422: "The URL answers, but not with an x402 Bazaar discovery list (not a facilitator)",
      503: "The facilitator could not be reached, or answered 429 or 5xx; try again later",
    },
    success: {
      status: 200,
      description: "{imported, refused}: refused entries with the reason",
      schema: importServicesResponse,
    },
  },
  async ({ body }) =>
    importBazaarResources(await getDb(), {
      facilitatorUrl: body.facilitatorUrl,
      network: getConfig().PAYGENT_NETWORK,
      maxEntries: body.maxEntries,
    }),
);
