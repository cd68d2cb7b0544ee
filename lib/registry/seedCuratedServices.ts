import type { Kysely } from "kysely";
import type { Cache } from "../cache/index.js";
import { getNetwork } from "../chain/registry.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import {
  type CuratedNetwork,
  type CuratedService,
  curatedServiceSchema,
  curatedServices,
} from "./curatedServices.js";
import { InvalidCuratedServiceError } from "./errors.js";
import type { ServiceView } from "./serviceView.js";
import { upsertServices } from "./upsertServices.js";

export interface SeedCuratedServicesParameters {
  network: CuratedNetwork;
  /** The list to load; defaults to the curated list of `network` (lib/registry/curatedServices.ts). */
  services?: readonly CuratedService[];
  cache?: Cache;
}

/** What a seed run loaded. */
export interface SeedCuratedServicesReturnType {
  network: CuratedNetwork;
  /** CAIP-2 id every loaded service is priced on. */
  caip2: string;
  services: ServiceView[];
}

/**
 * Loads the curated x402 services of a Cronos network into the registry, idempotently (same name →
 * updated in place, ids and statistics kept). Every entry is validated, and must be priced on the
 * network being seeded, before anything is written.
 */
export async function seedCuratedServices(
  db: Kysely<Database>,
  parameters: SeedCuratedServicesParameters,
): Promise<SeedCuratedServicesReturnType> {
  const { network } = parameters;
  const caip2 = `eip155:${getNetwork(network).chainId}`;
  const entries = (parameters.services ?? curatedServices[network]).map((entry) => {
    const value = validate(curatedServiceSchema, entry, `curated service "${entry.name}"`);
    if (value.price.network !== caip2) {
      throw new InvalidCuratedServiceError(
        `Curated service "${value.name}" is priced on ${value.price.network}, not ${network} (${caip2})`,
      );
    }
    return value;
  });
  const services = await upsertServices(
    db,
    entries.map((value) => ({
      id: `svc_${network.replace("-", "_")}_${slug(value.name)}`,
      name: value.name,
      description: value.description,
      category: value.category,
      endpoint: value.endpoint,
      pricing_model: value.pricingModel,
      price_amount: value.price.amount,
      price_asset: value.price.asset,
      price_network: value.price.network,
      mcp_compatible: value.mcpCompatible,
    })),
    { cache: parameters.cache },
  );
  return { network, caip2, services };
}

/** A stable id fragment from a service name. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 40) || "service"
  );
}
