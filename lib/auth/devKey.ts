import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { createApiKey } from "./apiKeys.js";
import { hashApiKey } from "./authenticate.js";

export interface EnsureDevAdminKeyReturnType {
  key: string;
  id: string;
  /** True when this call created the key (the dev host prints it then). */
  created: boolean;
}

/**
 * Local development only: returns a working admin key, creating one on first use and keeping its
 * plaintext in a git-ignored file so the dev host can print it without any account or setup.
 * A stored key that no longer works (revoked, or a fresh database) is replaced.
 */
export async function ensureDevAdminKey(
  db: Kysely<Database>,
  file = ".data/dev-api-key",
): Promise<EnsureDevAdminKeyReturnType> {
  const stored = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  if (stored) {
    const row = await db
      .selectFrom("api_keys")
      .select(["id"])
      .where("key_hash", "=", hashApiKey(stored))
      .where("revoked_at", "is", null)
      .where("role", "=", "admin")
      .executeTakeFirst();
    if (row) return { key: stored, id: row.id, created: false };
  }
  const { id, key } = await createApiKey(db, { name: "dev-admin", scope: "admin" });
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  // Owner-only: the file holds a live admin credential.
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key, id, created: true };
}
