import { type Kysely, sql } from "kysely";
import type { Database } from "../db/database.js";
import type { Role } from "./roles.js";

/** What listing exposes about a key: never the hash, never the key. */
export interface KeyInfo {
  id: string;
  name: string;
  role: Role;
  /** The assigned policy; null → the operator default policy. */
  policy: { id: string; name: string; version: number } | null;
  /** Set while the key is frozen (no money moves on its behalf). */
  frozenAt: Date | null;
  /** Why it was frozen, as the admin wrote it (null when not frozen or no reason was given). */
  frozenReason: string | null;
  /** The admin key that froze it (null when not frozen). */
  frozenBy: string | null;
  /** For approver keys: the agent keys it is assigned to. */
  agentKeyIds: string[];
  /** "env" for the key registered from PAYGENT_ADMIN_KEY. */
  source: "created" | "env";
  createdAt: Date;
  revokedAt: Date | null;
}

/** Lists keys, newest first, with role, policy, freeze and approver assignments. */
export async function listKeys(
  db: Kysely<Database>,
  options: { includeRevoked?: boolean; role?: Role } = {},
): Promise<KeyInfo[]> {
  let query = db
    .selectFrom("api_keys")
    .leftJoin("policies", "policies.id", "api_keys.policy_id")
    .leftJoin("freezes", (join) => join.on(sql<boolean>`freezes.target = 'key:' || api_keys.id`))
    .select([
      "api_keys.id",
      "api_keys.name",
      "api_keys.role",
      "api_keys.source",
      "api_keys.created_at",
      "api_keys.revoked_at",
      "policies.id as policy_id",
      "policies.name as policy_name",
      "policies.current_version as policy_version",
      "freezes.frozen_at",
      "freezes.reason as frozen_reason",
      "freezes.frozen_by",
    ])
    .orderBy("api_keys.created_at", "desc")
    .orderBy("api_keys.id");
  if (options.includeRevoked === false) query = query.where("api_keys.revoked_at", "is", null);
  if (options.role) query = query.where("api_keys.role", "=", options.role);
  const rows = await query.execute();
  const assignments = await db
    .selectFrom("approver_assignments")
    .select(["approver_key_id", "agent_key_id"])
    .orderBy("agent_key_id")
    .execute();
  const agentsOf = new Map<string, string[]>();
  for (const row of assignments) {
    agentsOf.set(row.approver_key_id, [
      ...(agentsOf.get(row.approver_key_id) ?? []),
      row.agent_key_id,
    ]);
  }
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    policy:
      row.policy_id === null
        ? null
        : { id: row.policy_id, name: row.policy_name ?? "", version: row.policy_version ?? 0 },
    frozenAt: row.frozen_at ?? null,
    frozenReason: row.frozen_reason ?? null,
    frozenBy: row.frozen_by ?? null,
    agentKeyIds: agentsOf.get(row.id) ?? [],
    source: row.source,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}
