import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { BudgetSessionNotFoundError } from "./errors.js";
import { type DailyAllowance, getDailyAllowance } from "./getDailyAllowance.js";
import { sumLedger } from "./sumLedger.js";
import { USD, unitOf } from "./units.js";

/** Spending of a session in one token (or "USD"); budget/remaining are null without a limit. */
export interface BudgetLine {
  token: string;
  budget: string | null;
  spent: string;
  reserved: string;
  remaining: string | null;
}

export interface BudgetStatus {
  sessionId: string;
  /** The session-wide budget line, null when the session has no budget. */
  budget: BudgetLine | null;
  /** Spending per token seen in the ledger (lower-cased token). */
  tokens: BudgetLine[];
  daily: DailyAllowance | null;
}

/** A session's budget, spent, reserved and remaining, per token and for today, from the ledger. */
export async function getBudgetStatus(
  db: Kysely<Database>,
  sessionId: string,
  options: { now?: Date } = {},
): Promise<BudgetStatus> {
  const session = await db
    .selectFrom("agent_sessions")
    .select(["budget_amount", "budget_token"])
    .where("id", "=", sessionId)
    .executeTakeFirst();
  if (!session) throw new BudgetSessionNotFoundError(sessionId);
  const budgetUnit = session.budget_token === null ? undefined : unitOf(session.budget_token);
  const budgetLimit = session.budget_amount === null ? undefined : BigInt(session.budget_amount);

  const rows = await db
    .selectFrom("spend_ledger")
    .select([
      sql<string>`lower(token)`.as("token"),
      "status",
      sql<string>`sum(amount)::text`.as("amount"),
    ])
    .where("session_id", "=", sessionId)
    .where("status", "in", ["reserved", "settled"])
    .groupBy([sql`lower(token)`, "status"])
    .orderBy(sql`lower(token)`)
    .execute();
  const byToken = new Map<string, { spent: bigint; reserved: bigint }>();
  for (const row of rows) {
    const entry = byToken.get(row.token) ?? { spent: 0n, reserved: 0n };
    if (row.status === "settled") entry.spent += BigInt(row.amount);
    else entry.reserved += BigInt(row.amount);
    byToken.set(row.token, entry);
  }
  const line = (token: string, totals: { spent: bigint; reserved: bigint }): BudgetLine => {
    const limit = token === budgetUnit ? budgetLimit : undefined;
    const used = totals.spent + totals.reserved;
    return {
      token,
      budget: limit === undefined ? null : limit.toString(),
      spent: totals.spent.toString(),
      reserved: totals.reserved.toString(),
      remaining: limit === undefined ? null : (limit > used ? limit - used : 0n).toString(),
    };
  };
  const tokens = [...byToken].map(([token, totals]) => line(token, totals));
  let budget: BudgetLine | null = null;
  if (budgetUnit !== undefined && budgetLimit !== undefined) {
    const totals =
      budgetUnit === USD
        ? await sumLedger(db, { sessionId, unit: USD })
        : (byToken.get(budgetUnit) ?? { spent: 0n, reserved: 0n });
    budget = line(budgetUnit, totals);
  }
  return { sessionId, budget, tokens, daily: await getDailyAllowance(db, sessionId, options) };
}
