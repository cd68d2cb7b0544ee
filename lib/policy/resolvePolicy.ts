import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { DEFAULT_POLICY_ID, getDefaultPolicy } from "./defaultPolicy.js";
import { getPolicy } from "./getPolicy.js";
import type { PolicyDocument } from "./schemas.js";

/** The policy that governs one key right now. */
export interface ResolvedPolicy {
  /** The policy id, or "default" for the operator default policy. */
  id: string;
  /** The version used; null for the operator default (it lives in the environment). */
  version: number | null;
  name: string;
  document: PolicyDocument;
  source: "key" | "default";
}

/**
 * The policy of a key: its assigned policy at the current version, else the operator default.
 * keyId null (AUTH_DISABLED, or a session without a key) also gets the default.
 */
export async function resolvePolicy(
  db: Kysely<Database>,
  parameters: { keyId: string | null },
): Promise<ResolvedPolicy> {
  const key =
    parameters.keyId === null
      ? undefined
      : await db
          .selectFrom("api_keys")
          .select("policy_id")
          .where("id", "=", parameters.keyId)
          .executeTakeFirst();
  if (key?.policy_id) {
    // Deleting is refused while live keys use a policy; a revoked key's old policy still reads.
    const policy = await getPolicy(db, { id: key.policy_id, includeDeleted: true });
    return {
      id: policy.id,
      version: policy.version,
      name: policy.name,
      document: policy.document,
      source: "key",
    };
  }
  return {
    id: DEFAULT_POLICY_ID,
    version: null,
    name: "operator default policy",
    document: getDefaultPolicy(),
    source: "default",
  };
}
