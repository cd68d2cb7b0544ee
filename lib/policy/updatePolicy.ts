import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { PolicyNotFoundError } from "./errors.js";
import type { PolicyDocument } from "./schemas.js";
import { validatePolicyDocument } from "./validatePolicyDocument.js";

export interface UpdatePolicyParameters {
  id: string;
  /** The whole new document (PUT replaces it). */
  document: unknown;
  name?: string;
  updatedBy?: string;
}

/**
 * Replaces a policy's document with a new version (PUT /api/policies/{id}). Versions are never
 * edited: decisions made under an older version keep pointing at it. The policy row lock makes
 * concurrent updates take consecutive version numbers.
 */
export async function updatePolicy(
  db: Kysely<Database>,
  parameters: UpdatePolicyParameters,
): Promise<{ id: string; version: number; name: string; document: PolicyDocument }> {
  const document = validatePolicyDocument(getConfig().PAYGENT_NETWORK, parameters.document);
  return await db.transaction().execute(async (trx) => {
    const policy = await trx
      .selectFrom("policies")
      .select(["id", "name", "current_version", "deleted_at"])
      .where("id", "=", parameters.id)
      .forUpdate()
      .executeTakeFirst();
    if (!policy || policy.deleted_at !== null) throw new PolicyNotFoundError(parameters.id);
    const version = policy.current_version + 1;
    const name = parameters.name ?? policy.name;
    await trx
      .insertInto("policy_versions")
      .values({
        policy_id: policy.id,
        version,
        document: JSON.stringify(document),
        created_by: parameters.updatedBy ?? null,
      })
      .execute();
    await trx
      .updateTable("policies")
      .set({ current_version: version, name, updated_at: new Date() })
      .where("id", "=", policy.id)
      .execute();
    return { id: policy.id, version, name, document };
  });
}
