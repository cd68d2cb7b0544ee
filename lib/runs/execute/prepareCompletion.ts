import { type Kysely, sql } from "kysely";
import { describeAction } from "../../actions/registry.js";
import { Action } from "../../actions/schemas.js";
import type { Command } from "../../agent/intent.js";
import { type MemoryRow, memoryRows } from "../../agent/memory.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import {
  type DeliveryRow,
  notificationDeliveries,
  subscribedEndpoints,
} from "../../notifications/emitNotification.js";
import { runFinishedNotification } from "../../notifications/notifyRunFinished.js";

/** A run_steps row as the run's result reads it. */
interface ResultStep {
  step_index: number;
  action: string;
  input: unknown;
  output: unknown;
  tx_hashes: unknown;
}

/** The writes that complete a run, for recordOutcome to make in its one statement. */
export interface RunCompletion {
  /** The runs columns: completed, with every action's output (and its human line) as result. */
  run: { status: "completed"; result: string; finished_at: Date; updated_at: Date };
  /** run.completed, after the last step's step.finished. */
  event: { type: "run.completed"; data: unknown; dedupeKey: string };
  /** The session's memory of the run, so later commands can say "do that again" or "swap it back". */
  memory: MemoryRow[];
  /** run.completed for every subscribed endpoint (the transactional outbox). */
  deliveries: DeliveryRow[];
}

/** What completing a run reads (readRunForCompletion). */
export interface CompletionRead {
  /** The run's steps as stored, in order. */
  steps: ResultStep[];
  /** Endpoints subscribed to run.completed. */
  endpoints: string[];
}

/**
 * The run's row with what completing the run reads: its steps and the endpoints subscribed to
 * run.completed, in one prepared statement (see prepareQuery) and without a lock. recordOutcome
 * writes only if the run still holds what was read here (its guard), so a change made in between
 * (a cancel, a failed or duplicate attempt, a cost booked by another writer) makes it read again.
 * The gate reads the same columns for the step it starts (openGate), so the last step needs
 * this read only after a guard failed or on the gate's locked path.
 */
export async function readRunForCompletion(
  db: Kysely<Database>,
  runId: string,
): Promise<{ run: Run; read: CompletionRead } | undefined> {
  const [row] = await selectRunForCompletion(db, { runId });
  return row && splitCompletionRead(row);
}

const selectRunForCompletion = prepareQuery("readRunForCompletion", (db, p: { runId: string }) =>
  db
    .selectFrom("runs")
    .selectAll("runs")
    .select(completionReadColumns(db, p.runId))
    .where("runs.id", "=", p.runId),
);

/** The columns of a row that carry a CompletionRead (completionReadColumns). */
export interface CompletionReadColumns {
  completion_steps: ResultStep[] | null;
  completion_endpoints: string[] | null;
}

/** Sub-selects reading what completing run `runId` needs, as columns of a statement's row. */
export function completionReadColumns(db: Kysely<Database>, runId: string) {
  return [
    db
      .selectFrom("run_steps")
      .select(
        sql<ResultStep[]>`coalesce(json_agg(json_build_object(
            'step_index', step_index, 'action', action, 'input', input, 'output', output,
            'tx_hashes', tx_hashes) order by step_index), '[]'::json)`.as("steps"),
      )
      .where("run_id", "=", runId)
      .as("completion_steps"),
    db
      .selectFrom(subscribedEndpoints(db, "run.completed").as("endpoint"))
      .select(sql<string[]>`coalesce(json_agg(endpoint.id), '[]'::json)`.as("ids"))
      .as("completion_endpoints"),
  ] as const;
}

/** A row read with completionReadColumns, as its other columns and the CompletionRead. */
export function splitCompletionRead<Row extends CompletionReadColumns>(
  row: Row,
): { run: Omit<Row, keyof CompletionReadColumns>; read: CompletionRead } {
  const { completion_steps, completion_endpoints, ...run } = row;
  return { run, read: { steps: completion_steps ?? [], endpoints: completion_endpoints ?? [] } };
}

/**
 * What completing the run writes, from readRunForCompletion's read.
 * Call it before the last step's row is written: the last step is taken as it is about to be
 * stored (`step`: its output and tx_hashes as JSON text, or undefined when not written), so the
 * result is what reading the steps after that write gave.
 */
export function prepareCompletion(parameters: {
  run: Run;
  read: CompletionRead;
  step: { index: number; output: string | undefined; txHashes: string };
  cost: unknown;
}): RunCompletion {
  const { run, read, step } = parameters;
  const runId = run.id;
  const steps = read.steps.map((s) =>
    s.step_index === step.index
      ? {
          ...s,
          ...(step.output !== undefined ? { output: JSON.parse(step.output) as unknown } : {}),
          tx_hashes: JSON.parse(step.txHashes) as unknown,
        }
      : s,
  );

  let memory: MemoryRow[] = [];
  if (run.kind === "command" && run.intent && run.plan) {
    // What each action really produced (a swap's output), for "swap it back".
    const swapOutputs: Record<number, string> = {};
    for (const s of steps) {
      const amountOut = (s.output as { amountOut?: unknown } | null)?.amountOut;
      if (typeof amountOut === "string") swapOutputs[s.step_index] = amountOut;
    }
    memory = memoryRows({
      sessionId: run.session_id,
      runId,
      command: run.intent as Command,
      plan: run.plan as Plan,
      swapOutputs,
    });
  }
  const result = {
    actions: steps.map((s) => {
      const action = Action.safeParse(s.input);
      return {
        index: s.step_index,
        type: s.action,
        ...(action.success
          ? { summary: describeAction(action.data, { output: s.output, cost: [] }) }
          : {}),
        output: s.output,
        txHashes: s.tx_hashes,
      };
    }),
  };
  const now = new Date();
  const { deliveries } = notificationDeliveries(
    runFinishedNotification({
      runId,
      status: "completed",
      agentKeyId: run.api_key_id,
      summary: result.actions.map((a) => a.summary ?? a.type).join("; ") || "completed",
    }),
    read.endpoints,
  );
  return {
    run: { status: "completed", result: JSON.stringify(result), finished_at: now, updated_at: now },
    event: {
      type: "run.completed",
      data: { result, cost: parameters.cost },
      dedupeKey: `${runId}:completed`,
    },
    memory,
    deliveries,
  };
}
