import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { newId } from "../ids.js";
import { hashApiKey } from "./authenticate.js";

/** Scopes an API key can carry: admin reaches everything, sessions only the sessions it created. */
export type ApiKeyScope = "admin" | "sessions";

/** Prefix of every Paygent API key, so leaked keys are recognisable (secret scanners, log redaction). */
export const API_KEY_PREFIX = "pgk_";

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

/** What listing exposes about a key: never the hash, never the key. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Creates an API key and stores only its hash; returns the plaintext once. */
export async function createApiKey(
  db: Kysely<Database>,
  parameters: CreateApiKeyParameters,
): Promise<CreateApiKeyReturnType> {
  const id = newId("key");
  // 32 random bytes: unguessable, so a plain (unsalted) SHA-256 is an adequate verifier.
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  await db
    .insertInto("api_keys")
    .values({ id, name: parameters.name, scope: parameters.scope, key_hash: hashApiKey(key) })
    .execute();
  return { id, key, name: parameters.name, scope: parameters.scope };
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

/** Lists keys, newest first, without hashes. Revoked keys are included unless asked otherwise. */
export async function listApiKeys(
  db: Kysely<Database>,
  options: { includeRevoked?: boolean } = {},
): Promise<ApiKeyInfo[]> {
  let query = db
    .selectFrom("api_keys")
    .select(["id", "name", "scope", "created_at", "revoked_at"])
    .orderBy("created_at", "desc")
    .orderBy("id");
  if (options.includeRevoked === false) query = query.where("revoked_at", "is", null);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scope: row.scope,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}
