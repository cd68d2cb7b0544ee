import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { KeyNotFoundError, KeyRoleError } from "./errors.js";
import type { Role } from "./roles.js";

export interface AssignPolicyParameters {
  keyId: string;
  /** The policy to apply; null returns the key to the operator default policy. */
  policyId: string | null;
}

/**
 * Assigns a policy to a key (PUT /api/keys/{id} {policyId}). The key's next gate uses the policy's
 * current version. 404 for an unknown key or policy; 422 for approver or revoked keys.
 */
export async function assignPolicy(
  db: Kysely<Database>,
  parameters: AssignPolicyParameters,
): Promise<{ keyId: string; policyId: string | null }> {
  return await db.transaction().execute(async (trx) => {
    await checkPolicyAssignment(trx, parameters);
    await writePolicyAssignment(trx, parameters);
    return { keyId: parameters.keyId, policyId: parameters.policyId };
  });
}

/**
 * Everything assignPolicy refuses, without writing: run it (in the caller's transaction) before
 * any write of a change made of several parts (updateKey). Locks the key row until commit.
 */
export async function checkPolicyAssignment(
  trx: Transaction<Database>,
  parameters: AssignPolicyParameters,
): Promise<void> {
  const key = await trx
    .selectFrom("api_keys")
    .select(["id", "role", "revoked_at"])
    .where("id", "=", parameters.keyId)
    .forUpdate()
    .executeTakeFirst();
  if (!key) throw new KeyNotFoundError(parameters.keyId);
  if (key.revoked_at !== null)
    throw new KeyRoleError(`API key ${key.id} is revoked; its policy cannot change`);
  if (parameters.policyId !== null)
    await assertPolicyAssignable(trx, { role: key.role, policyId: parameters.policyId });
}

/** Writes a policy assignment that checkPolicyAssignment accepted in the same transaction. */
export async function writePolicyAssignment(
  trx: Transaction<Database>,
  parameters: AssignPolicyParameters,
): Promise<void> {
  await trx
    .updateTable("api_keys")
    .set({ policy_id: parameters.policyId })
    .where("id", "=", parameters.keyId)
    .execute();
}

/**
 * A policy limits what a key spends, so it fits keys that run commands (agent, admin). The policy
 * must exist and not be deleted. Locks the policy row so a concurrent delete cannot slip between.
 */
export async function assertPolicyAssignable(
  db: Kysely<Database>,
  parameters: { role: Role; policyId: string },
): Promise<void> {
  if (parameters.role === "approver") {
    throw new KeyRoleError(
      "Approver keys decide approvals and spend nothing: a policy applies to agent or admin keys",
    );
  }
  const policy = await db
    .selectFrom("policies")
    .select(["id", "deleted_at"])
    .where("id", "=", parameters.policyId)
    .forUpdate()
    .executeTakeFirst();
  if (!policy || policy.deleted_at !== null)
    throw new ClientError("not_found", `Policy ${parameters.policyId} not found`);
}
