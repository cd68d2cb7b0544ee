import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { ServiceNotFoundError } from "./errors.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

/** Loads one service by id; throws ServiceNotFoundError (404) when it does not exist. */
export async function getService(db: Kysely<Database>, id: string): Promise<ServiceView> {
  const row = await db.selectFrom("services").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new ServiceNotFoundError(id);
  return toServiceView(row);
}
