import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { BudgetSessionNotFoundError } from "./errors.js";
import { sumLedger } from "./sumLedger.js";
import { unitOf, utcDay } from "./units.js";

/** What is left of a session's daily limit today (UTC). Amounts are base units, or micro-USD. */
export interface DailyAllowance {
  sessionId: string;
  day: string;
  /** The limit's token as configured on the session ("USD" for USD-denominated limits). */
  token: string;
  limit: string;
  spent: string;
  reserved: string;
  remaining: string;
  /** When the window resets (next 00:00 UTC). */
  resetsAt: string;
}

/**
 * Today's remaining daily allowance of a session, from the ledger; null when the session has
 * no daily limit. Throws BudgetSessionNotFoundError for an unknown session.
 */
export async function getDailyAllowance(
  db: Kysely<Database>,
  sessionId: string,
  options: { now?: Date } = {},
): Promise<DailyAllowance | null> {
  const session = await db
    .selectFrom("agent_sessions")
    .select(["daily_limit_amount", "daily_limit_token"])
    .where("id", "=", sessionId)
    .executeTakeFirst();
  if (!session) throw new BudgetSessionNotFoundError(sessionId);
  if (session.daily_limit_amount === null || session.daily_limit_token === null) return null;
  const now = options.now ?? new Date();
  const day = utcDay(now);
  const totals = await sumLedger(db, { sessionId, unit: unitOf(session.daily_limit_token), day });
  const limit = BigInt(session.daily_limit_amount);
  const used = totals.spent + totals.reserved;
  const resetsAt = new Date(`${day}T00:00:00.000Z`);
  resetsAt.setUTCDate(resetsAt.getUTCDate() + 1);
  return {
    sessionId,
    day,
    token: session.daily_limit_token,
    limit: limit.toString(),
    spent: totals.spent.toString(),
    reserved: totals.reserved.toString(),
    remaining: (limit > used ? limit - used : 0n).toString(),
    resetsAt: resetsAt.toISOString(),
  };
}
