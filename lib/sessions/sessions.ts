import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import { assertSessionAccess } from "../auth/authenticate.js";
import type { AgentSession, Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { newId } from "../ids.js";
import { sessionNotFound } from "../runs/read/errors.js";

/** A spending limit already converted to base units. */
export interface BaseUnitLimit {
  amount: bigint;
  token: string;
}

export interface CreateSessionParameters {
  principal: Principal;
  budget?: BaseUnitLimit;
  dailyLimit?: BaseUnitLimit;
  approvalThresholdUsd?: string;
}

/** Creates an active session owned by the calling key. */
export async function createSession(
  db: Kysely<Database>,
  parameters: CreateSessionParameters,
): Promise<AgentSession> {
  return db
    .insertInto("agent_sessions")
    .values({
      id: newId("ses"),
      api_key_id:
        parameters.principal.scope === "admin" && parameters.principal.keyId === "auth-disabled"
          ? null
          : parameters.principal.keyId,
      budget_amount: parameters.budget?.amount.toString() ?? null,
      budget_token: parameters.budget?.token ?? null,
      daily_limit_amount: parameters.dailyLimit?.amount.toString() ?? null,
      daily_limit_token: parameters.dailyLimit?.token ?? null,
      approval_threshold_usd: parameters.approvalThresholdUsd ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Loads a session the principal may use, or throws 404. */
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

/** Sessions visible to the principal, newest first, keyset-paginated by id. */
export async function listSessions(
  db: Kysely<Database>,
  principal: Principal,
  options: { limit: number; cursor?: string; status?: "active" | "closed" },
): Promise<{ sessions: AgentSession[]; nextCursor: string | null }> {
  let query = db
    .selectFrom("agent_sessions")
    .selectAll()
    .orderBy("id", "desc")
    .limit(options.limit + 1);
  if (principal.scope !== "admin") query = query.where("api_key_id", "=", principal.keyId);
  if (options.status) query = query.where("status", "=", options.status);
  if (options.cursor) query = query.where("id", "<", options.cursor);
  const rows = await query.execute();
  const sessions = rows.slice(0, options.limit);
  return { sessions, nextCursor: rows.length > options.limit ? sessions.at(-1)!.id : null };
}
