import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { newId } from "../ids.js";
import { assertPolicyAssignable } from "./assignPolicy.js";
import { hashApiKey } from "./hashApiKey.js";
import type { Role } from "./roles.js";

/** Prefix of every Paygent API key, so leaked keys are recognisable (secret scanners, log redaction). */
export const API_KEY_PREFIX = "pgk_";

export interface CreateKeyParameters {
  name: string;
  role: Role;
  /** Policy of an agent (or admin) key; absent → the operator default policy. */
  policyId?: string | null;
}

export interface CreateKeyReturnType {
  id: string;
  /** The plaintext key. It is shown once: only its SHA-256 hash is stored. */
  key: string;
  name: string;
  role: Role;
  policyId: string | null;
}

/**
 * Creates an API key with a role (and optionally its policy) and stores only its hash; returns the
 * plaintext once. Throws 404 for an unknown policy, 422 for a policy on an approver key.
 */
export async function createKey(
  db: Kysely<Database>,
  parameters: CreateKeyParameters,
): Promise<CreateKeyReturnType> {
  const policyId = parameters.policyId ?? null;
  const id = newId("key");
  // 32 random bytes: unguessable, so a plain (unsalted) SHA-256 is an adequate verifier.
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  await db.transaction().execute(async (trx) => {
    if (policyId !== null) await assertPolicyAssignable(trx, { role: parameters.role, policyId });
    await trx
      .insertInto("api_keys")
      .values({
        id,
        name: parameters.name,
        role: parameters.role,
        key_hash: hashApiKey(key),
        policy_id: policyId,
      })
      .execute();
  });
  return { id, key, name: parameters.name, role: parameters.role, policyId };
}
