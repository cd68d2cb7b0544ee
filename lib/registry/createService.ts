import type { Kysely } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import { newId } from "../ids.js";
import { assertServiceEndpoint } from "./assertServiceEndpoint.js";
import { requireEndpointKey } from "./endpointKey.js";
import { ServiceConflictError } from "./errors.js";
import { bumpRegistryVersion, resolveCache } from "./registryCache.js";
import { type ServiceInput, serviceInputSchema } from "./schemas.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

export interface RegistryWriteOptions {
  /** Cache whose discovery answers this write invalidates (default: the process cache). */
  cache?: Cache;
}

/** True for a Postgres unique-violation error (node-postgres, Neon and PGlite all carry code). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

/** Registers a paid service. Names are unique (case-sensitively in the table, see findServiceByNameOrUrl). */
export async function createService(
  db: Kysely<Database>,
  input: ServiceInput,
  options: RegistryWriteOptions = {},
): Promise<ServiceView> {
  const value = validate(serviceInputSchema, input, "service");
  await assertServiceEndpoint(value.endpoint);
  let row: Awaited<ReturnType<typeof insert>>;
  const insert = () =>
    db
      .insertInto("services")
      .values({
        id: newId("svc"),
        name: value.name,
        description: value.description,
        category: value.category,
        endpoint: value.endpoint,
        endpoint_key: requireEndpointKey(value.endpoint),
        pricing_model: value.pricingModel,
        price_amount: value.price.amount,
        price_asset: value.price.asset,
        price_network: value.price.network,
        mcp_compatible: value.mcpCompatible,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  try {
    row = await insert();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceConflictError(`A service named "${value.name}" already exists`, {
        cause: error,
      });
    }
    throw error;
  }
  await bumpRegistryVersion(await resolveCache(options.cache));
  return toServiceView(row);
}
