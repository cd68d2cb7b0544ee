import type { Kysely } from "kysely";
import type { Action } from "../agent/plan.js";
import { releaseBudget, reserveBudget, settleBudget, unitOf } from "../budget/index.js";
import type { Database, Run } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import type { RunOptions } from "./start/startRun.js";

/** What an action may spend at most: the amount the budget must hold before it starts. */
export interface Spend {
  token: string;
  amount: bigint;
  usdAmount?: string;
}

/** The most an action can spend, or undefined for actions that move no money. */
export function maxSpendOf(action: Action): { token: string; amount: bigint } | undefined {
  switch (action.type) {
    case "pay":
      return { token: action.token, amount: BigInt(action.maxAmount) };
    case "transfer":
      return { token: action.token, amount: BigInt(action.amount) };
    case "swap":
      return { token: action.tokenIn, amount: BigInt(action.amountIn) };
    default:
      return undefined;
  }
}

/**
 * Reserves an action's spend against the session and daily limits (atomically, in lib/budget)
 * and against the command's own budget (runs execute their actions one at a time, so a sum over
 * the run's ledger rows is race-free).
 */
export async function reserveSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; spend: Spend },
): Promise<void> {
  const { run, index, spend } = parameters;
  await assertWithinCommandBudget(db, run, index, spend);
  await reserveBudget({
    db,
    sessionId: run.session_id,
    runId: run.id,
    stepIndex: index,
    token: spend.token,
    amount: spend.amount,
    usdAmount: spend.usdAmount,
  });
}

/** Settles the step's reservation with what it really spent. */
export async function settleSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; actual?: { amount: bigint; usdAmount?: string } },
): Promise<void> {
  await settleBudget({
    db,
    runId: parameters.run.id,
    stepIndex: parameters.index,
    actualAmount: parameters.actual?.amount,
    actualUsdAmount: parameters.actual?.usdAmount,
  });
}

/** Gives the step's reservation back (the action failed before money moved). */
export async function releaseSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number },
): Promise<void> {
  await releaseBudget({ db, runId: parameters.run.id, stepIndex: parameters.index });
}

/**
 * Policy for an edited approval: the new spend must fit the command budget (the session and daily
 * limits are enforced again, atomically, when the action reserves).
 */
export async function checkEditedSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; action: Action },
): Promise<void> {
  const spend = maxSpendOf(parameters.action);
  if (spend) await assertWithinCommandBudget(db, parameters.run, parameters.index, spend);
}

async function assertWithinCommandBudget(
  db: Kysely<Database>,
  run: Run,
  index: number,
  spend: Spend | { token: string; amount: bigint },
) {
  const budget = (run.options as RunOptions | null)?.budget;
  if (!budget || unitOf(budget.token) !== unitOf(spend.token)) return;
  const rows = await db
    .selectFrom("spend_ledger")
    .select(["id", "amount", "token"])
    .where("run_id", "=", run.id)
    .where("status", "in", ["reserved", "settled"])
    .execute();
  const used = rows
    .filter((r) => r.id !== `${run.id}:${index}` && unitOf(r.token) === unitOf(spend.token))
    .reduce((sum, r) => sum + BigInt(r.amount), 0n);
  const limit = BigInt(budget.amount);
  if (used + spend.amount > limit) {
    throw new ClientError(
      "unprocessable",
      `Command budget exceeded: ${spend.amount} ${spend.token} requested, ${limit - used} of ${limit} left`,
    );
  }
}
