import type { Kysely, Updateable } from "kysely";
import { parseUnits } from "viem";
import { formatDecimal } from "../agent/decimal.js";
import type { Principal } from "../auth/authenticate.js";
import { findToken } from "../chain/registry.js";
import { getConfig } from "../config.js";
import type { AgentSession, AgentSessionsTable, Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import type { BaseUnitLimit } from "./createSession.js";
import { getActiveSessionFor } from "./getSession.js";

export interface UpdateSessionParameters {
  principal: Principal;
  sessionId: string;
  budget?: BaseUnitLimit;
  dailyLimit?: BaseUnitLimit;
  approvalThresholdUsd?: string;
}

/**
 * Tightens an open session's limits: a lower budget, a lower daily limit, a lower approval
 * threshold, or a limit where there was none. Raising one is refused (422), for every role: the
 * rule of issue 13 is that a caller may lower what its policy allows, never raise it, and a session
 * that needs more room is a new session (checked against the policy when opened). The caller
 * checks the new values against the key's policy too (checkStartPolicy).
 */
export async function updateSession(
  db: Kysely<Database>,
  parameters: UpdateSessionParameters,
): Promise<AgentSession> {
  const { principal, sessionId } = parameters;
  return await db.transaction().execute(async (trx) => {
    await getActiveSessionFor(trx, principal, sessionId);
    // Locked: two updates (or an update and a close) apply one after the other.
    const current = await trx
      .selectFrom("agent_sessions")
      .selectAll()
      .where("id", "=", sessionId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.status !== "active")
      throw new ClientError("conflict", `Session ${sessionId} is closed; start a new session`);
    const changes: Updateable<AgentSessionsTable> = {};
    if (parameters.budget) {
      assertNotRaised("budget", parameters.budget, current.budget_amount, current.budget_token);
      changes.budget_amount = parameters.budget.amount.toString();
      changes.budget_token = parameters.budget.token;
    }
    if (parameters.dailyLimit) {
      assertNotRaised(
        "dailyLimit",
        parameters.dailyLimit,
        current.daily_limit_amount,
        current.daily_limit_token,
      );
      changes.daily_limit_amount = parameters.dailyLimit.amount.toString();
      changes.daily_limit_token = parameters.dailyLimit.token;
    }
    if (parameters.approvalThresholdUsd !== undefined) {
      const asked = parameters.approvalThresholdUsd;
      const now = current.approval_threshold_usd;
      if (now !== null && parseUnits(asked, 6) > parseUnits(now, 6)) {
        throw new ClientError(
          "unprocessable",
          `approvalThreshold ${asked} USD is above the session's ${now} USD: a session's limits can only be lowered; open a new session for more room`,
        );
      }
      changes.approval_threshold_usd = asked;
    }
    return await trx
      .updateTable("agent_sessions")
      .set({ ...changes, updated_at: new Date() })
      .where("id", "=", sessionId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

function assertNotRaised(
  field: "budget" | "dailyLimit",
  asked: BaseUnitLimit,
  amount: string | null,
  token: string | null,
): void {
  if (amount === null) return; // A limit where there was none only tightens.
  if (token !== asked.token) {
    throw new ClientError(
      "unprocessable",
      `${field} is in ${token}; a lower ${field} must be in ${token} too`,
    );
  }
  if (asked.amount > BigInt(amount)) {
    throw new ClientError(
      "unprocessable",
      `${field} would rise from ${wholeTokens(BigInt(amount), token)} to ${wholeTokens(asked.amount, token)} ${token}: a session's limits can only be lowered; open a new session for more room`,
    );
  }
}

/** Base units as the whole tokens a caller wrote ("USD" limits are micro-dollars). */
function wholeTokens(amount: bigint, token: string): string {
  const decimals = token === "USD" ? 6 : findToken(getConfig().PAYGENT_NETWORK, token)?.decimals;
  return decimals === undefined ? `${amount} base units of` : formatDecimal(amount, decimals);
}
