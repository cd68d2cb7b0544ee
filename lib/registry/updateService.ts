import type { Kysely, Updateable } from "kysely";
import type { Database, ServicesTable } from "../db/index.js";
import { validate } from "../http/validate.js";
import { assertServiceEndpoint } from "./assertServiceEndpoint.js";
import { isUniqueViolation, type RegistryWriteOptions } from "./createService.js";
import { requireEndpointKey } from "./endpointKey.js";
import { ServiceConflictError, ServiceNotFoundError } from "./errors.js";
import { bumpRegistryVersion, resolveCache } from "./registryCache.js";
import { type ServiceUpdate, serviceUpdateSchema } from "./schemas.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

/** Changes the declared fields of a service; usage statistics and reputation are not writable. */
export async function updateService(
  db: Kysely<Database>,
  id: string,
  patch: ServiceUpdate,
  options: RegistryWriteOptions = {},
): Promise<ServiceView> {
  const value = validate(serviceUpdateSchema, patch, "service update");
  const set: Updateable<ServicesTable> = { updated_at: new Date() };
  if (value.name !== undefined) set.name = value.name;
  if (value.description !== undefined) set.description = value.description;
  if (value.category !== undefined) set.category = value.category;
  if (value.endpoint !== undefined) {
    await assertServiceEndpoint(value.endpoint);
    set.endpoint = value.endpoint;
    set.endpoint_key = requireEndpointKey(value.endpoint);
  }
  if (value.pricingModel !== undefined) set.pricing_model = value.pricingModel;
  if (value.mcpCompatible !== undefined) set.mcp_compatible = value.mcpCompatible;
  if (value.price?.amount !== undefined) set.price_amount = value.price.amount;
  if (value.price?.asset !== undefined) set.price_asset = value.price.asset;
  if (value.price?.network !== undefined) set.price_network = value.price.network;
  let row: Awaited<ReturnType<typeof run>>;
  const run = () =>
    db.updateTable("services").set(set).where("id", "=", id).returningAll().executeTakeFirst();
  try {
    row = await run();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceConflictError(`A service named "${value.name}" already exists`, {
        cause: error,
      });
    }
    throw error;
  }
  if (!row) throw new ServiceNotFoundError(id);
  await bumpRegistryVersion(await resolveCache(options.cache));
  return toServiceView(row);
}
