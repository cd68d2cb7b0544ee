import { type Kysely, sql } from "kysely";
import { describeAction } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { ActionOutcome } from "../../actions/types.js";
import type { MemoryRow } from "../../agent/memory.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run, RunStatus } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { BaseError } from "../../errors/base.js";
import type { DeliveryRow } from "../../notifications/emitNotification.js";
import type { RunEventType } from "../events.js";
import { isTerminal, readRun, runCostWith, terminalRunStatuses } from "../runState.js";
import type { ActionResult } from "./openGate.js";
import {
  type CompletionRead,
  prepareCompletion,
  readRunForCompletion,
} from "./prepareCompletion.js";

/** How many times recordOutcome reads and writes again when the run changed in between. */
const maxWriteAttempts = 5;

/**
 * Writes an action's result, cost and events, or its wait for a chain or payment event; completes
 * the run after its last action.
 *
 * Optimistic, without a transaction: it decides from a read (the run and its steps as the gate
 * read them, or read here), then makes every write in one statement guarded by what it read:
 * - the run's cost total is unchanged (it rewrites it);
 * - when it sets the run's status (waiting, completed), the run has not ended; for a completion,
 *   nobody asked to cancel it either;
 * - this step is not completed yet, so a duplicate attempt of it books nothing twice.
 * If the guard fails, someone changed the run in between: read again and decide again. A row lock
 * held from the read to COMMIT would cost four round trips in which, on the embedded database,
 * PGlite's one connection serves nobody else (issue 17: the accepts of a burst waited behind it).
 */
export async function recordOutcome(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    index: number;
    action: Action;
    outcome: ActionOutcome;
    startedAt: number;
    /** What completing the run reads, as the gate read it with `run` (see openGate). */
    completion?: CompletionRead;
    /** The step waited on another event before this one: this wait is a new one, with its own event. */
    newWait?: boolean;
  },
): Promise<ActionResult> {
  const { index, outcome } = parameters;
  const runId = parameters.run.id;
  const plan = parameters.run.plan as Plan;
  const isLast = index === Math.max(...plan.actions.map((a) => a.index));
  // Decide from the run (and for the last action its steps) as the gate read them, if it did.
  let seen: { run: Run; read?: CompletionRead } | undefined = !isLast
    ? { run: parameters.run }
    : parameters.completion
      ? { run: parameters.run, read: parameters.completion }
      : await readRunForCompletion(db, runId);
  for (let attempt = 1; attempt <= maxWriteAttempts; attempt++) {
    if (!seen) return { status: "failed" };
    const written = await writeOutcome(db, {
      runId,
      index,
      ...outcomeWrites({ ...parameters, ...seen }),
      readCost: JSON.stringify(seen.run.cost ?? null),
    });
    if (written.written) {
      return outcome.waitFor
        ? { status: "waiting", waitFor: outcome.waitFor }
        : { status: "completed" };
    }
    // Another attempt of this step recorded it first: its result stands.
    if (written.stepStatus === "completed") return { status: "completed" };
    seen = isLast ? await readRunForCompletion(db, runId) : await readRunOnly(db, runId);
  }
  throw new BaseError(`Step ${index} of run ${runId} could not be recorded`, {
    kind: "transient",
    details: `the run changed between each of ${maxWriteAttempts} reads and its write`,
  });
}

async function readRunOnly(db: Kysely<Database>, runId: string): Promise<{ run: Run } | undefined> {
  const run = await readRun(db, runId);
  return run ? { run } : undefined;
}

/** What recording the outcome writes, decided from the run as read (and its steps, if last). */
function outcomeWrites(parameters: {
  run: Run;
  read?: CompletionRead;
  index: number;
  action: Action;
  outcome: ActionOutcome;
  startedAt: number;
  newWait?: boolean;
}): Pick<OutcomeWrites, "step" | "run" | "events" | "memory" | "deliveries"> {
  const { run, read, index, action, outcome } = parameters;
  const runId = run.id;
  const now = new Date();
  const waiting = outcome.waitFor !== undefined;
  const step = {
    status: waiting ? ("waiting_event" as const) : ("completed" as const),
    output: JSON.stringify(
      waiting ? { ...(outcome.output as object), waitFor: outcome.waitFor } : outcome.output,
    ),
    tx_hashes: JSON.stringify(outcome.txHashes ?? []),
    cost: JSON.stringify(outcome.cost),
    ...(waiting ? {} : { finished_at: now, duration_ms: Date.now() - parameters.startedAt }),
  };
  const cost = runCostWith(run, outcome.cost);
  if (waiting) {
    return {
      step,
      // A run cancelled (or ended) while the action ran keeps its status; the step still records
      // what it sent, so the books know the transaction or authorization that may still land.
      run: isTerminal(run.status)
        ? { cost: JSON.stringify(cost) }
        : { cost: JSON.stringify(cost), status: "waiting_event", updated_at: now },
      events: [
        {
          type: "waiting.event",
          data: { index, token: outcome.waitFor!.token, txHashes: outcome.txHashes ?? [] },
          // A step's next wait (its swap after its approval) is announced too.
          dedupeKey: parameters.newWait
            ? `${runId}:${index}:waiting:${outcome.waitFor!.token}`
            : `${runId}:${index}:waiting`,
        },
      ],
    };
  }
  const finished: OutcomeEvent = {
    type: "step.finished",
    data: {
      index,
      status: "completed",
      summary: describeAction(action, outcome),
      output: outcome.output,
      txHashes: outcome.txHashes ?? [],
    },
    dedupeKey: `${runId}:${index}:finished`,
  };
  if (read && !isTerminal(run.status) && !run.cancel_requested_at) {
    const completion = prepareCompletion({
      run,
      read,
      step: { index, output: step.output, txHashes: step.tx_hashes },
      cost,
    });
    return {
      step,
      run: { cost: JSON.stringify(cost), ...completion.run },
      events: [finished, completion.event],
      memory: completion.memory,
      deliveries: completion.deliveries,
    };
  }
  return { step, run: { cost: JSON.stringify(cost) }, events: [finished] };
}

/** A run_events row to append (deduplicated by its key, as appendRunEvent does). */
interface OutcomeEvent {
  type: RunEventType;
  data: unknown;
  dedupeKey: string;
}

/** The step's and the run's columns writeOutcome sets. */
type OutcomeStepColumns = {
  status: "waiting_event" | "completed";
  output: string | undefined;
  tx_hashes: string;
  cost: string;
  finished_at?: Date;
  duration_ms?: number;
};
type OutcomeRunColumns = {
  cost: string;
  status?: RunStatus;
  result?: string;
  finished_at?: Date;
  updated_at?: Date;
};

/** Everything writeOutcome writes, and the cost total its guard expects to find. */
interface OutcomeWrites {
  runId: string;
  index: number;
  step: OutcomeStepColumns;
  run: OutcomeRunColumns;
  events: OutcomeEvent[];
  memory?: MemoryRow[];
  deliveries?: DeliveryRow[];
  /** The run's cost as read, as JSON text ("null" when it has none). */
  readCost: string;
}

/**
 * The step's row, the run's row, its events (in list order: the insert numbers them by their
 * position in the list), memory and notification deliveries, in one statement of data-modifying
 * CTEs, all or nothing on the guard (see recordOutcome). `written` says whether it wrote;
 * `stepStatus` is the step's status as the statement found it.
 */
async function writeOutcome(
  db: Kysely<Database>,
  parameters: OutcomeWrites,
): Promise<{ written: boolean; stepStatus: string | null }> {
  const { runId } = parameters;
  const [row] = await writeOutcomeRows(db, {
    runId,
    index: parameters.index,
    step: parameters.step,
    run: parameters.run,
    readCost: parameters.readCost,
    events: JSON.stringify(
      parameters.events.map((event, position) => ({
        run_id: runId,
        type: event.type,
        data: event.data ?? {},
        dedupe_key: event.dedupeKey,
        position,
      })),
    ),
    memory: JSON.stringify(parameters.memory ?? []),
    deliveries: JSON.stringify(parameters.deliveries ?? []),
  });
  return { written: row?.written != null, stepStatus: row?.step_status ?? null };
}

/**
 * writeOutcome's statement, prepared (see prepareQuery): one per shape of the step's and run's
 * columns (waiting, completed, completing the run); the rows of the lists travel as JSON.
 *
 * The run's update carries the guard; every other write happens only if it wrote (they read its
 * RETURNING, the one way data-modifying CTEs see each other). On Postgres, an update that waited
 * for the run's row lock checks the guard again on the newest row version, so a concurrent writer
 * that committed meanwhile fails it too.
 */
const writeOutcomeRows = prepareQuery(
  "writeOutcome",
  (
    db,
    p: {
      runId: string;
      index: number;
      step: OutcomeStepColumns;
      run: OutcomeRunColumns;
      readCost: string;
      events: string;
      memory: string;
      deliveries: string;
    },
  ) =>
    db
      .with("run", (qb) =>
        qb
          .updateTable("runs")
          .set(p.run)
          .where("id", "=", p.runId)
          .where(sql<boolean>`coalesce(cost, 'null'::jsonb) = ${p.readCost}::jsonb`)
          // Setting the status (waiting, or completing the run): only on a run nobody ended meanwhile.
          .$if(p.run.status !== undefined, (qb) =>
            qb.where("status", "not in", terminalRunStatuses),
          )
          // Completing the run: only a run nobody asked to cancel either.
          .$if(p.run.result !== undefined, (qb) => qb.where("cancel_requested_at", "is", null))
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("run_steps")
                .select("id")
                .where("run_id", "=", p.runId)
                .where("step_index", "=", p.index)
                .where("status", "<>", "completed"),
            ),
          )
          .returning("id"),
      )
      .with("step", (qb) =>
        qb
          .updateTable("run_steps")
          .set(p.step)
          .where("run_id", "=", p.runId)
          .where("step_index", "=", p.index)
          .where("status", "<>", "completed")
          .where((eb) => eb.exists(eb.selectFrom("run").select("id")))
          .returning("id"),
      )
      .with("events", (qb) =>
        qb
          .insertInto("run_events")
          .columns(["run_id", "type", "data", "dedupe_key"])
          .expression(
            qb
              .selectFrom(
                sql<{
                  run_id: string;
                  type: RunEventType;
                  data: unknown;
                  dedupe_key: string;
                  position: number;
                }>`jsonb_to_recordset(${p.events}::jsonb)`.as<"event">(
                  sql`event(run_id text, type text, data jsonb, dedupe_key text, position integer)`,
                ),
              )
              .select(["event.run_id", "event.type", "event.data", "event.dedupe_key"])
              .where((eb) => eb.exists(eb.selectFrom("run").select("id")))
              // Ids are drawn in this order, so the events keep the list's order.
              .orderBy("event.position"),
          )
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .returning("id"),
      )
      .with("memory", (qb) =>
        qb
          .insertInto("agent_memory")
          .columns(["session_id", "run_id", "kind", "data"])
          .expression(
            qb
              .selectFrom(
                sql<MemoryRow>`jsonb_to_recordset(${p.memory}::jsonb)`.as<"remembered">(
                  sql`remembered(session_id text, run_id text, kind text, data text)`,
                ),
              )
              .select([
                "remembered.session_id",
                "remembered.run_id",
                "remembered.kind",
                sql<unknown>`remembered.data::jsonb`.as("data"),
              ])
              .where((eb) => eb.exists(eb.selectFrom("run").select("id"))),
          )
          .returning("id"),
      )
      .with("deliveries", (qb) =>
        qb
          .insertInto("notification_deliveries")
          .columns([
            "id",
            "endpoint_id",
            "event_id",
            "event_type",
            "body",
            "status",
            "next_attempt_at",
            "created_at",
          ])
          .expression(
            qb
              .selectFrom(
                sql<DeliveryRow>`jsonb_to_recordset(${p.deliveries}::jsonb)`.as<"delivery">(
                  sql`delivery(id text, endpoint_id text, event_id text, event_type text, body text, status text, next_attempt_at timestamptz, created_at timestamptz)`,
                ),
              )
              .selectAll("delivery")
              .where((eb) => eb.exists(eb.selectFrom("run").select("id"))),
          )
          .onConflict((oc) => oc.columns(["endpoint_id", "event_id"]).doNothing())
          .returning("id"),
      )
      .selectNoFrom((eb) => [
        eb.selectFrom("run").select("id").as("written"),
        // As the statement's snapshot saw it: "completed" means another attempt recorded it.
        eb
          .selectFrom("run_steps")
          .select("status")
          .where("run_id", "=", p.runId)
          .where("step_index", "=", p.index)
          .as("step_status"),
      ]),
);
