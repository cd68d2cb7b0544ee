import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";

/** The key that owns a session, whose policy governs its renewals (null: keyless, the default). */
export async function sessionKeyId(
  db: Kysely<Database>,
  sessionId: string,
): Promise<string | null> {
  const session = await db
    .selectFrom("agent_sessions")
    .select("api_key_id")
    .where("id", "=", sessionId)
    .executeTakeFirst();
  return session?.api_key_id ?? null;
}
