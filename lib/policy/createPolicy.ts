import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { newId } from "../ids.js";
import type { PolicyDocument } from "./schemas.js";
import { validatePolicyDocument } from "./validatePolicyDocument.js";

export interface CreatePolicyParameters {
  name?: string;
  /** Validated here (400/422); see PolicyDocument. */
  document: unknown;
  /** The admin key writing it (recorded on the version). */
  createdBy?: string;
}

export interface CreatePolicyReturnType {
  id: string;
  version: number;
  name: string;
  document: PolicyDocument;
}

/** Creates a policy at version 1 (POST /api/policies → 201 {id}). */
export async function createPolicy(
  db: Kysely<Database>,
  parameters: CreatePolicyParameters,
): Promise<CreatePolicyReturnType> {
  const document = validatePolicyDocument(getConfig().PAYGENT_NETWORK, parameters.document);
  const id = newId("pol");
  const name = parameters.name ?? id;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("policies").values({ id, name, current_version: 1 }).execute();
    await trx
      .insertInto("policy_versions")
      .values({
        policy_id: id,
        version: 1,
        document: JSON.stringify(document),
        created_by: parameters.createdBy ?? null,
      })
      .execute();
  });
  return { id, version: 1, name, document };
}
