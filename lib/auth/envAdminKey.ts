import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { hashApiKey } from "./hashApiKey.js";

/** Id of the row registered for an environment admin key (stable per key value). */
export function envAdminKeyId(keyHash: string): string {
  return `key_env_${keyHash.slice(0, 16)}`;
}

/**
 * Registers the PAYGENT_ADMIN_KEY whose hash is given as an admin row (idempotent) and revokes
 * every other key registered from the environment: there is one environment key at a time.
 */
export async function registerEnvAdminKey(db: Kysely<Database>, keyHash: string): Promise<string> {
  const id = envAdminKeyId(keyHash);
  await db
    .insertInto("api_keys")
    .values({ id, name: "PAYGENT_ADMIN_KEY", role: "admin", key_hash: keyHash, source: "env" })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await db
    .updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("source", "=", "env")
    .where("id", "<>", id)
    .where("revoked_at", "is", null)
    .execute();
  return id;
}

/**
 * Start-up sync (call once when a host boots): registers the current PAYGENT_ADMIN_KEY and revokes
 * the keys of earlier values; with the variable unset, revokes every environment key. Returns the
 * id of the live environment key, if any.
 */
export async function syncEnvAdminKey(db: Kysely<Database>): Promise<string | undefined> {
  const value = getConfig().PAYGENT_ADMIN_KEY;
  if (value) return await registerEnvAdminKey(db, hashApiKey(value));
  await db
    .updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("source", "=", "env")
    .where("revoked_at", "is", null)
    .execute();
  return undefined;
}
