import type { Kysely } from "kysely";
import { assertSessionAccess, type Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { ClientError } from "../errors/index.js";

/**
 * Loads the session a caller names and checks the caller may use it; unknown and foreign
 * sessions both answer 404 so session ids cannot be probed.
 */
export async function getSessionForPrincipal(
  db: Kysely<Database>,
  principal: Principal,
  sessionId: string,
): Promise<{ id: string; api_key_id: string | null; status: "active" | "closed" }> {
  const session = await db
    .selectFrom("agent_sessions")
    .select(["id", "api_key_id", "status"])
    .where("id", "=", sessionId)
    .executeTakeFirst();
  if (!session) throw new ClientError("not_found", `Session ${sessionId} not found`);
  assertSessionAccess(principal, session);
  return session;
}
