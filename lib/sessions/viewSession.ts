import type { Kysely } from "kysely";
import { viewAmount } from "../amounts/viewAmount.js";
import { viewUsd } from "../amounts/viewUsd.js";
import { formatAllowance } from "../budget/formatAllowance.js";
import { type BudgetLine, type BudgetStatus, getBudgetStatus } from "../budget/index.js";
import type { AgentSession, Database } from "../db/database.js";
import type { SessionResponse, SessionWithBudgetResponse } from "./responses.js";

/** The public shape of a session; with a db it includes the live budget (spent, reserved, remaining). */
export function viewSession(session: AgentSession): SessionResponse;
export function viewSession(
  session: AgentSession,
  db: Kysely<Database>,
): Promise<SessionWithBudgetResponse>;
export function viewSession(session: AgentSession, db?: Kysely<Database>) {
  const view = baseView(session);
  if (!db) return view;
  return getBudgetStatus(db, session.id).then((budgetStatus) => ({
    ...view,
    budgetStatus: formatBudgetStatus(budgetStatus),
  }));
}

function baseView(session: AgentSession): SessionResponse {
  return {
    id: session.id,
    status: session.status,
    // The limits as the request gave them ({amount, token} in whole tokens) plus base units.
    budget:
      session.budget_amount && session.budget_token
        ? viewAmount(session.budget_amount, session.budget_token)
        : null,
    dailyLimit:
      session.daily_limit_amount && session.daily_limit_token
        ? viewAmount(session.daily_limit_amount, session.daily_limit_token)
        : null,
    // numeric(20, 6) comes back as "10.000000"; answered as the plain decimal a client writes ("10").
    approvalThresholdUsd: viewUsd(session.approval_threshold_usd),
    createdAt: session.created_at.toISOString(),
    closedAt: session.closed_at?.toISOString() ?? null,
  };
}

/** The ledger's base-unit lines, each with its figures formatted ("0.1 USDC") beside them. */
function formatBudgetStatus(status: BudgetStatus): SessionWithBudgetResponse["budgetStatus"] {
  const line = (entry: BudgetLine) => ({
    ...entry,
    formatted: {
      budget: entry.budget === null ? null : viewAmount(entry.budget, entry.token).formatted,
      spent: viewAmount(entry.spent, entry.token).formatted,
      reserved: viewAmount(entry.reserved, entry.token).formatted,
      remaining:
        entry.remaining === null ? null : viewAmount(entry.remaining, entry.token).formatted,
    },
  });
  return {
    ...status,
    budget: status.budget ? line(status.budget) : null,
    tokens: status.tokens.map(line),
    daily: status.daily ? formatAllowance(status.daily) : null,
  };
}
