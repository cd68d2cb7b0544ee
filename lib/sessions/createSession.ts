import type { Insertable, Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { AgentSession, AgentSessionsTable, Database } from "../db/database.js";
import { newId } from "../ids.js";

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
    .values(newSessionRow(parameters))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The row of a new active session owned by the calling key (startRun inserts it with its run). */
export function newSessionRow(parameters: CreateSessionParameters): Insertable<AgentSessionsTable> {
  return {
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
  };
}
