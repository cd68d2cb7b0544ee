import type { Kysely } from "kysely";
import { assertSessionAccess, type Principal } from "../auth/authenticate.js";
import type { AgentSession, Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";

/** 404 for a session the caller cannot see (or that does not exist). */
function sessionNotFound(sessionId: string): ClientError {
  return new ClientError("not_found", `Session ${sessionId} not found`);
}

/**
 * Loads a session the principal may use. Unknown and foreign sessions both answer 404, so session
 * ids cannot be probed.
 */
export async function getSessionFor(
  db: Kysely<Database>,
  principal: Principal,
  sessionId: string,
): Promise<AgentSession> {
  const session = await db
    .selectFrom("agent_sessions")
    .selectAll()
    .where("id", "=", sessionId)
    .executeTakeFirst();
  if (!session) throw sessionNotFound(sessionId);
  assertSessionAccess(principal, session);
  return session;
}

/** Like getSessionFor, and also refuses closed sessions with 409. */
export async function getActiveSessionFor(
  db: Kysely<Database>,
  principal: Principal,
  sessionId: string,
): Promise<AgentSession> {
  const session = await getSessionFor(db, principal, sessionId);
  if (session.status !== "active") {
    throw new ClientError("conflict", `Session ${sessionId} is closed; start a new session`);
  }
  return session;
}
