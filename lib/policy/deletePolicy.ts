import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { PolicyInUseError, PolicyNotFoundError } from "./errors.js";

/**
 * Deletes a policy (DELETE /api/policies/{id}): it can no longer be assigned or read, but its
 * versions stay, because decisions refer to them. 409 while live keys still use it; 404 when
 * unknown or already deleted.
 */
export async function deletePolicy(db: Kysely<Database>, id: string): Promise<{ id: string }> {
  return await db.transaction().execute(async (trx) => {
    const policy = await trx
      .selectFrom("policies")
      .select(["id", "deleted_at"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!policy || policy.deleted_at !== null) throw new PolicyNotFoundError(id);
    const keys = await trx
      .selectFrom("api_keys")
      .select("id")
      .where("policy_id", "=", id)
      .where("revoked_at", "is", null)
      .orderBy("id")
      .execute();
    if (keys.length > 0)
      throw new PolicyInUseError(
        id,
        keys.map((key) => key.id),
      );
    await trx
      .updateTable("policies")
      .set({ deleted_at: new Date(), updated_at: new Date() })
      .where("id", "=", id)
      .execute();
    return { id };
  });
}
