import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { API_KEY_PREFIX, createKey } from "./createKey.js";
import { legacyScope } from "./roles.js";

export { API_KEY_PREFIX };

/**
 * The pre-role key API, kept so the current /api/keys routes and scripts work unchanged until they
 * move to createKey/listKeys: scope "sessions" is the agent role.
 */
export type ApiKeyScope = "admin" | "sessions";

export interface CreateApiKeyParameters {
  name: string;
  scope: ApiKeyScope;
}

export interface CreateApiKeyReturnType {
  id: string;
  /** The plaintext key. It is shown once: only its SHA-256 hash is stored. */
  key: string;
  name: string;
  scope: ApiKeyScope;
}

/** What the legacy listing exposes about a key: never the hash, never the key. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Creates an admin or agent ("sessions") key; see createKey for roles and policies. */
export async function createApiKey(
  db: Kysely<Database>,
  parameters: CreateApiKeyParameters,
): Promise<CreateApiKeyReturnType> {
  const role = parameters.scope === "admin" ? "admin" : "agent";
  const created = await createKey(db, { name: parameters.name, role });
  return { id: created.id, key: created.key, name: created.name, scope: parameters.scope };
}

/**
 * Revokes a key (idempotent). Returns false when no such key exists. Rows are kept, not deleted,
 * because sessions reference the key that created them.
 */
export async function revokeApiKey(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return false;
  await db
    .updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .execute();
  return true;
}

/** Lists keys in the legacy shape (scope), newest first, without hashes. */
export async function listApiKeys(
  db: Kysely<Database>,
  options: { includeRevoked?: boolean } = {},
): Promise<ApiKeyInfo[]> {
  let query = db
    .selectFrom("api_keys")
    .select(["id", "name", "role", "created_at", "revoked_at"])
    .orderBy("created_at", "desc")
    .orderBy("id");
  if (options.includeRevoked === false) query = query.where("revoked_at", "is", null);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scope: legacyScope(row.role),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}
