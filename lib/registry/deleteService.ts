import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import type { RegistryWriteOptions } from "./createService.js";
import { ServiceConflictError, ServiceNotFoundError } from "./errors.js";
import { bumpRegistryVersion, resolveCache } from "./registryCache.js";

/**
 * Removes a service. Services that payments or subscriptions point at stay (their history must
 * keep its foreign keys): that answers ServiceConflictError (409).
 */
export async function deleteService(
  db: Kysely<Database>,
  id: string,
  options: RegistryWriteOptions = {},
): Promise<void> {
  let deleted: { id: string } | undefined;
  try {
    deleted = await db
      .deleteFrom("services")
      .where("id", "=", id)
      .returning("id")
      .executeTakeFirst();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "23503") {
      throw new ServiceConflictError(
        `Service ${id} has payments or subscriptions and cannot be deleted`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!deleted) throw new ServiceNotFoundError(id);
  await bumpRegistryVersion(await resolveCache(options.cache));
}
