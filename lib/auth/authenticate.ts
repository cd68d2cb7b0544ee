import { createHash, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { getDb } from "../db/index.js";
import { ClientError, ServiceUnavailableError } from "../errors/index.js";

/** Who is calling: an API key with a scope. Admin keys can reach every session. */
export interface Principal {
  keyId: string;
  scope: "admin" | "sessions";
}

/** SHA-256 of an API key; only the hash is stored. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

const challenge = { "www-authenticate": 'Bearer realm="paygent"' };

/**
 * Resolves the Bearer key of a request to a principal, or throws 401.
 * AUTH_DISABLED=true (local experiments only) treats every caller as admin. PAYGENT_ADMIN_KEY, when
 * set, is an operator key from the environment: it is registered as an ordinary admin row on first
 * use (so sessions can reference it and it can be revoked like any other key).
 */
export async function authenticate(request: Request): Promise<Principal> {
  const config = getConfig();
  if (config.AUTH_DISABLED) return { keyId: "auth-disabled", scope: "admin" };
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer +([\x21-\x7e]{8,200})$/i.exec(header);
  if (!match) {
    throw new ClientError("unauthorized", "Missing or malformed Authorization: Bearer <api key>", {
      headers: challenge,
    });
  }
  const keyHash = hashApiKey(match[1]!);
  let principal: Principal | undefined;
  try {
    const db = await getDb();
    principal = await findPrincipal(db, keyHash);
    if (
      !principal &&
      config.PAYGENT_ADMIN_KEY &&
      sameHash(keyHash, hashApiKey(config.PAYGENT_ADMIN_KEY))
    ) {
      await db
        .insertInto("api_keys")
        .values({
          id: `key_env_${keyHash.slice(0, 16)}`,
          name: "PAYGENT_ADMIN_KEY",
          scope: "admin",
          key_hash: keyHash,
        })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      // Re-read: a revoked env key row stays revoked.
      principal = await findPrincipal(db, keyHash);
    }
  } catch (error) {
    throw new ServiceUnavailableError("Cannot verify the API key right now", { cause: error });
  }
  if (!principal)
    throw new ClientError("unauthorized", "Unknown or revoked API key", { headers: challenge });
  return principal;
}

async function findPrincipal(
  db: Kysely<Database>,
  keyHash: string,
): Promise<Principal | undefined> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "scope"])
    .where("key_hash", "=", keyHash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row ? { keyId: row.id, scope: row.scope } : undefined;
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/**
 * Throws 404 (not 403, so ids are not probed) unless the principal may use the session:
 * admins reach every session; session-scoped keys only the sessions they created.
 */
export function assertSessionAccess(
  principal: Principal,
  session: { id: string; api_key_id: string | null },
): void {
  if (principal.scope === "admin") return;
  if (session.api_key_id !== principal.keyId) {
    throw new ClientError("not_found", `Session ${session.id} not found`);
  }
}
