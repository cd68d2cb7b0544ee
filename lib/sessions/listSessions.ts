import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { AgentSession, Database } from "../db/database.js";
import { readIdCursor } from "../http/readIdCursor.js";

/** Sessions visible to the principal, newest first, keyset-paginated by id. */
export async function listSessions(
  db: Kysely<Database>,
  principal: Principal,
  options: { limit: number; cursor?: string; status?: "active" | "closed" },
): Promise<{ sessions: AgentSession[]; nextCursor: string | null }> {
  const cursor = readIdCursor(options.cursor, "ses");
  let query = db
    .selectFrom("agent_sessions")
    .selectAll()
    .orderBy("id", "desc")
    .limit(options.limit + 1);
  if (principal.scope !== "admin") query = query.where("api_key_id", "=", principal.keyId);
  if (options.status) query = query.where("status", "=", options.status);
  if (cursor) query = query.where("id", "<", cursor);
  const rows = await query.execute();
  const sessions = rows.slice(0, options.limit);
  return { sessions, nextCursor: rows.length > options.limit ? sessions.at(-1)!.id : null };
}
