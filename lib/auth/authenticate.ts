import { createHash } from "node:crypto";
import { getConfig } from "../config.js";
import { getDb } from "../db/index.js";
import { ClientError } from "../errors/index.js";

/** Who is calling: an API key with a scope. Admin keys can reach every session. */
export interface Principal {
  keyId: string;
  scope: "admin" | "sessions";
}

/** SHA-256 of an API key; only the hash is stored. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Resolves the Bearer key of a request to a principal, or throws 401.
 * AUTH_DISABLED=true (local experiments only) treats every caller as admin.
 */
export async function authenticate(request: Request): Promise<Principal> {
  const config = getConfig();
  if (config.AUTH_DISABLED) return { keyId: "auth-disabled", scope: "admin" };
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S{8,200})$/i.exec(header);
  if (!match) {
    throw new ClientError("unauthorized", "Missing or malformed Authorization: Bearer <api key>", {
      headers: { "www-authenticate": 'Bearer realm="paygent"' },
    });
  }
  const db = await getDb();
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "scope"])
    .where("key_hash", "=", hashApiKey(match[1]!))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row) {
    throw new ClientError("unauthorized", "Unknown or revoked API key", {
      headers: { "www-authenticate": 'Bearer realm="paygent"' },
    });
  }
  return { keyId: row.id, scope: row.scope };
}

/** Throws 403 unless the principal has the admin scope. */
export function requireAdmin(principal: Principal): void {
  if (principal.scope !== "admin") throw new ClientError("forbidden", "This endpoint needs an admin API key");
}

/**
 * Throws 404 (not 403, so ids are not probed) unless the principal may use the session:
 * admins reach every session; session-scoped keys only the sessions they created.
 */
export function assertSessionAccess(principal: Principal, session: { id: string; api_key_id: string | null }): void {
  if (principal.scope === "admin") return;
  if (session.api_key_id !== principal.keyId) {
    throw new ClientError("not_found", `Session ${session.id} not found`);
  }
}
