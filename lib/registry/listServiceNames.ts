import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";

/**
 * Names of a few registered services, most reputable first: the examples a refused command is
 * answered with name only services this deployment can actually pay.
 */
export async function listServiceNames(db: Kysely<Database>, limit = 5): Promise<string[]> {
  const rows = await db
    .selectFrom("services")
    .select("name")
    .orderBy("reputation", "desc")
    .orderBy("name")
    .limit(limit)
    .execute();
  return rows.map((row) => row.name);
}
