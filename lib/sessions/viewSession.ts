import type { Kysely } from "kysely";
import { type BudgetStatus, getBudgetStatus } from "../budget/index.js";
import type { AgentSession, Database } from "../db/database.js";

/** The public shape of a session; with a db it includes the live budget (spent, reserved, remaining). */
export function viewSession(session: AgentSession): ReturnType<typeof baseView>;
export function viewSession(
  session: AgentSession,
  db: Kysely<Database>,
): Promise<ReturnType<typeof baseView> & { budgetStatus: BudgetStatus }>;
export function viewSession(session: AgentSession, db?: Kysely<Database>) {
  const view = baseView(session);
  if (!db) return view;
  return getBudgetStatus(db, session.id).then((budgetStatus) => ({ ...view, budgetStatus }));
}

function baseView(session: AgentSession) {
  return {
    id: session.id,
    status: session.status,
    budget: session.budget_amount
      ? { amount: session.budget_amount, token: session.budget_token }
      : null,
    dailyLimit: session.daily_limit_amount
      ? { amount: session.daily_limit_amount, token: session.daily_limit_token }
      : null,
    approvalThresholdUsd: session.approval_threshold_usd,
    createdAt: session.created_at.toISOString(),
    closedAt: session.closed_at?.toISOString() ?? null,
  };
}
