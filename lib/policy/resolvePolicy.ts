import type { Expression, ExpressionBuilder, Kysely } from "kysely";
import { jsonObjectFrom } from "kysely/helpers/postgres";
import type { Database } from "../db/database.js";
import { DEFAULT_POLICY_ID, getDefaultPolicy } from "./defaultPolicy.js";
import { PolicyNotFoundError } from "./errors.js";
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
 * keyId null (AUTH_DISABLED, or a session without a key) also gets the default. One round trip:
 * the key, its policy and the current version are joined (resolveKeyControls adds the freezes).
 */
export async function resolvePolicy(
  db: Kysely<Database>,
  parameters: { keyId: string | null },
): Promise<ResolvedPolicy> {
  const { keyId } = parameters;
  if (keyId === null) return operatorDefault();
  const row = await db
    .selectNoFrom((eb) => [keyPolicy(eb, keyId).as("policy")])
    .executeTakeFirstOrThrow();
  return toResolvedPolicy(row.policy);
}

/**
 * The key's policy assignment joined to the policy's current version (null: no such key).
 * `keyId`: the key's id, or a column of the outer query that holds it (a run's api_key_id).
 */
export function keyPolicy(
  eb: ExpressionBuilder<Database, never>,
  keyId: string | Expression<string | null>,
) {
  return jsonObjectFrom(
    eb
      .selectFrom("api_keys")
      .leftJoin("policies", "policies.id", "api_keys.policy_id")
      .leftJoin("policy_versions", (join) =>
        join
          .onRef("policy_versions.policy_id", "=", "policies.id")
          .onRef("policy_versions.version", "=", "policies.current_version"),
      )
      .select([
        "api_keys.policy_id as assigned",
        "policies.name",
        "policies.current_version as version",
        "policy_versions.document",
        "api_keys.revoked_at",
      ])
      .where("api_keys.id", "=", keyId),
  );
}

/** What keyPolicy reads (null: no such key). */
export type KeyPolicyRow = {
  assigned: string | null;
  name: string | null;
  version: number | null;
  document: unknown;
  /** Set once the key is revoked: its runs and renewals move no more money (gateAction). */
  revoked_at?: string | null;
} | null;

/** What keyPolicy reads, as a ResolvedPolicy. */
export function toResolvedPolicy(row: KeyPolicyRow): ResolvedPolicy {
  if (!row?.assigned) return operatorDefault();
  // Deleting is refused while live keys use a policy; a revoked key's old policy still reads.
  if (row.name === null || row.version === null || row.document === null)
    throw new PolicyNotFoundError(row.assigned);
  return {
    id: row.assigned,
    version: row.version,
    name: row.name,
    document: row.document as PolicyDocument,
    source: "key",
  };
}

function operatorDefault(): ResolvedPolicy {
  return {
    id: DEFAULT_POLICY_ID,
    version: null,
    name: "operator default policy",
    document: getDefaultPolicy(),
    source: "default",
  };
}
