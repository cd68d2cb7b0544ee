import type { Kysely } from "kysely";
import { heldUsdValue } from "../../actions/heldUsdValue.js";
import { getActionModule } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { ActionContext, Spend } from "../../actions/types.js";
import {
  BudgetReservationError,
  findReservation,
  reserveBudget,
  settleBudget,
  unitOf,
} from "../../budget/index.js";
import { microsToUsd } from "../../budget/units.js";
import { getChainContext } from "../../chain/clients.js";
import { requireToken } from "../../chain/registry.js";
import type { Database, Run } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import type { PriceUsd } from "../../policy/amounts.js";
import { chainPricer } from "../../policy/chainPricer.js";
import { findReservation as findWindowReservation } from "../../policy/windows/ledger.js";
import type { RunOptions } from "../start/startRun.js";

/**
 * The spend an action reserves before it starts (its module's maxSpend), with its USD value.
 * `stepId`: the step about to run, so a whole-balance action answers the same on every attempt.
 * `price`: the evaluation's pricer, so the gate that follows reads each pool price once.
 */
export async function spendOf(
  context: ActionContext,
  action: Action,
  stepId?: string,
  price: PriceUsd = chainPricer(context.chain, context.db),
): Promise<Spend | undefined> {
  const max = await getActionModule(action.type).maxSpend(action, context, { stepId });
  if (!max) return undefined;
  const token = requireToken(context.chain.network, max.token);
  const usdAmount = max.usdAmount ?? (await heldUsdValue(price, token.symbol, max.amount));
  return { token: token.symbol, amount: max.amount, ...(usdAmount ? { usdAmount } : {}) };
}

/**
 * Reserves an action's spend against the session and daily limits (atomically, in lib/budget)
 * and against the command's own budget (runs execute their actions one at a time, so a sum over
 * the run's ledger rows is race-free), and answers what the action may spend.
 *
 * That is what the reservation holds, which on a retry is what an earlier attempt reserved: a
 * spend worked out again since (a catalogue price raised between attempts) is capped to it, since
 * the limits and the policy windows counted only that (and the command budget is not asked
 * again: it counted the reservation when it was made). A reservation in another token is refused,
 * and so is one given back (its run ended), unless the step is resumed to collect an outcome: its
 * own record then says what became of its send (a voided payment), and the send fences
 * (holdReservationForSend) refuse anything new.
 */
export async function reserveSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; spend: Spend; resume?: boolean },
): Promise<Spend> {
  const { run, index } = parameters;
  let { spend } = parameters;
  let reservation = await findReservation(db, { runId: run.id, stepIndex: index });
  if (!reservation) {
    // The gate reserved the policy windows under the same id just before. A step that died
    // between the two and came back asking more (a whole-balance amount read again) passed the
    // gate as a replay, which does not look at the amount: it spends no more than the windows
    // counted.
    const windows = await findWindowReservation(db, `${run.id}:${index}`);
    if (windows && unitOf(windows.token) === unitOf(spend.token) && windows.amount < spend.amount) {
      spend = {
        token: spend.token,
        amount: windows.amount,
        ...(windows.usdMicros === null ? {} : { usdAmount: microsToUsd(windows.usdMicros) }),
      };
    }
    await assertWithinCommandBudget(db, run, index, spend);
    const reserved = await reserveBudget({
      db,
      sessionId: run.session_id,
      runId: run.id,
      stepIndex: index,
      token: spend.token,
      amount: spend.amount,
      usdAmount: spend.usdAmount,
    });
    if (!reserved.replayed) return spend;
    reservation = reserved.reservation;
  }
  if (reservation.status === "released" && !parameters.resume) {
    throw new BudgetReservationError(
      "conflict",
      `Budget reservation ${reservation.id} is released: nothing may be sent against it`,
    );
  }
  if (unitOf(reservation.token) !== unitOf(spend.token)) {
    throw new BudgetReservationError(
      "conflict",
      `Budget reservation ${reservation.id} holds ${reservation.token}, not ${spend.token}: nothing may be sent against it`,
    );
  }
  const held = BigInt(reservation.amount);
  if (held >= spend.amount) return spend;
  return {
    token: spend.token,
    amount: held,
    ...(reservation.usdAmount ? { usdAmount: reservation.usdAmount } : {}),
  };
}

/**
 * Settles the step's reservation with what it really spent; its dollars are the reservation's
 * (held) dollars scaled to that amount, never re-priced at the moment of settling.
 */
export async function settleSpend(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; actual?: { amount: bigint } },
): Promise<void> {
  await settleBudget({
    db,
    runId: parameters.runId,
    stepIndex: parameters.index,
    actualAmount: parameters.actual?.amount,
  });
}

/**
 * Policy for an edited approval: the new spend must fit the command budget (the session and daily
 * limits are enforced again, atomically, when the action reserves).
 */
export async function checkEditedSpend(
  db: Kysely<Database>,
  parameters: { run: Run; index: number; action: Action },
): Promise<void> {
  const { run, index, action } = parameters;
  const context: ActionContext = { db, run, chain: getChainContext() };
  const spend = await getActionModule(action.type).maxSpend(action, context);
  if (spend) await assertWithinCommandBudget(db, run, index, spend);
}

async function assertWithinCommandBudget(
  db: Kysely<Database>,
  run: Run,
  index: number,
  spend: Spend,
): Promise<void> {
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
    // 422 at the approval endpoint; a refusal (recorded, not retried) inside a step.
    throw new ClientError(
      "unprocessable",
      `Command budget exceeded: ${spend.amount} ${spend.token} requested, ${limit - used} of ${limit} left`,
      { kind: "refused" },
    );
  }
}
