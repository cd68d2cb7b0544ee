import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, Run, RunStatus } from "../db/database.js";
import { prepareQuery } from "../db/prepareQuery.js";
import { printableText } from "../errors/index.js";
import { notifyRunFinished } from "../notifications/notifyRunFinished.js";
import { type CostItem, type RunCost, summarizeCost } from "./cost.js";
import { appendRunEvent } from "./events.js";

/** Statuses after which nothing about a run changes. */
export const terminalRunStatuses: readonly RunStatus[] = ["completed", "failed", "cancelled"];

export function isTerminal(status: RunStatus): boolean {
  return terminalRunStatuses.includes(status);
}

/** A run's status now, or undefined when the run does not exist. */
export async function readRunStatus(
  db: Kysely<Database>,
  runId: string,
): Promise<RunStatus | undefined> {
  const row = await db
    .selectFrom("runs")
    .select("status")
    .where("id", "=", runId)
    .executeTakeFirst();
  return row?.status;
}

/** The run row, locked for the rest of the transaction (cancel and steps serialize on it). */
export async function lockRun(trx: Transaction<Database>, runId: string): Promise<Run | undefined> {
  const [row] = await selectRunForUpdate(trx, { runId });
  return row;
}

/** The run row as it is now (no lock), or undefined. */
export async function readRun(db: Kysely<Database>, runId: string): Promise<Run | undefined> {
  const [row] = await selectRun(db, { runId });
  return row;
}

// Prepared (see prepareQuery): each step of every run reads or locks its run row.
const selectRun = prepareQuery("readRun", (db, p: { runId: string }) =>
  db.selectFrom("runs").selectAll().where("id", "=", p.runId),
);
const selectRunForUpdate = prepareQuery("lockRun", (db, p: { runId: string }) =>
  db.selectFrom("runs").selectAll().where("id", "=", p.runId).forUpdate(),
);

/**
 * The run's running total with `items` appended (what addRunCost writes). An item whose detail
 * names the one payment or transaction it is for (`… (payment pay_…)`, `gas 0x…`, `x402 cancel
 * 0x…`) is added once: a late booking (bookPaymentCost, bookFailedStepGas) and the step's own
 * outcome may both carry it, in either order.
 */
export function runCostWith(run: Pick<Run, "cost">, items: CostItem[]): RunCost {
  const previous = (run.cost as RunCost | null)?.items ?? [];
  const booked = new Set(previous.map(keyOf).filter((key) => key !== undefined));
  const added = items.filter((item) => {
    const key = keyOf(item);
    if (key === undefined) return true;
    if (booked.has(key)) return false;
    booked.add(key);
    return true;
  });
  return summarizeCost([...previous, ...added]);
}

/** The one payment or transaction a cost item is for, when its detail names it. */
function keyOf(item: CostItem): string | undefined {
  const detail = item.detail;
  if (!detail) return undefined;
  if (/\(payment [^)\s]+\)$/.test(detail) || /^(gas|x402 cancel) 0x[0-9a-fA-F]{64}$/.test(detail))
    return `${item.kind} ${detail}`;
  return undefined;
}

/** Appends cost items to the run's running total. */
export async function addRunCost(
  db: Kysely<Database>,
  run: Pick<Run, "id" | "cost">,
  items: CostItem[],
): Promise<RunCost> {
  const cost = runCostWith(run, items);
  await db
    .updateTable("runs")
    .set({ cost: JSON.stringify(cost) })
    .where("id", "=", run.id)
    .execute();
  return cost;
}

/** A client-safe description of why a run failed. */
export interface RunFailure {
  code: string;
  message: string;
  step?: number;
  hints?: string[];
}

/**
 * Ends a run as failed (idempotent): the failing step keeps its reason, steps that never started
 * are skipped, and an event tells the stream.
 */
export async function failRun(
  db: Kysely<Database>,
  runId: string,
  failure: RunFailure,
): Promise<void> {
  // Stored as text and JSON, where Postgres refuses NUL characters (see printableText).
  const recorded: RunFailure = {
    ...failure,
    message: printableText(failure.message),
    ...(failure.hints ? { hints: failure.hints.map(printableText) } : {}),
  };
  await db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run || isTerminal(run.status)) return;
    const now = new Date();
    await trx
      .updateTable("runs")
      .set({ status: "failed", error: JSON.stringify(recorded), finished_at: now, updated_at: now })
      .where("id", "=", runId)
      .execute();
    if (recorded.step !== undefined) {
      await trx
        .updateTable("run_steps")
        .set({
          status: "failed",
          error: recorded.message,
          finished_at: now,
          duration_ms: sql<number>`coalesce(extract(epoch from (${now}::timestamptz - started_at)) * 1000, 0)::int`,
        })
        .where("run_id", "=", runId)
        .where("step_index", "=", recorded.step)
        .execute();
    }
    await trx
      .updateTable("run_steps")
      .set({ status: "skipped" })
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .execute();
    await trx
      .updateTable("approval_requests")
      .set({ status: "cancelled", decided_at: now })
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .execute();
    await appendRunEvent(trx, {
      runId,
      type: "run.failed",
      data: recorded,
      dedupeKey: `${runId}:failed`,
    });
    await notifyRunFinished(trx, {
      runId,
      status: "failed",
      agentKeyId: run.api_key_id,
      summary: recorded.message,
    });
  });
}
