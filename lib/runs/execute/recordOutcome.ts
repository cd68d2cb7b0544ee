import { type Kysely, sql } from "kysely";
import { describeAction } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { ActionOutcome } from "../../actions/types.js";
import type { MemoryRow } from "../../agent/memory.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run, RunStatus } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import type { DeliveryRow } from "../../notifications/emitNotification.js";
import type { RunEventType } from "../events.js";
import { isTerminal, lockRun, runCostWith } from "../runState.js";
import type { ActionResult } from "./openGate.js";
import { lockRunForCompletion, prepareCompletion } from "./prepareCompletion.js";

/**
 * Writes an action's result, cost and events, or its wait for a chain or payment event; completes
 * the run after its last action.
 *
 * Under the run's row lock, as before (the running cost total is read and rewritten, and the
 * completion reads the steps): only the writes are gathered into one statement, so the
 * transaction is BEGIN, the lock (on the last action, with the completion's read), the writes,
 * COMMIT.
 */
export async function recordOutcome(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    index: number;
    action: Action;
    outcome: ActionOutcome;
    startedAt: number;
  },
): Promise<ActionResult> {
  const { run, index, action, outcome } = parameters;
  const runId = run.id;
  const plan = run.plan as Plan;
  const isLast = index === Math.max(...plan.actions.map((a) => a.index));
  return db.transaction().execute(async (trx): Promise<ActionResult> => {
    // The last action's lock also reads what completing the run needs (one statement).
    const forCompletion = isLast ? await lockRunForCompletion(trx, runId) : undefined;
    const locked = isLast ? forCompletion?.run : await lockRun(trx, runId);
    if (!locked) return { status: "failed" };
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
    const cost = runCostWith(locked, outcome.cost);
    if (waiting) {
      await writeOutcome(trx, {
        runId,
        index,
        step,
        run: { cost: JSON.stringify(cost), status: "waiting_event", updated_at: now },
        events: [
          {
            type: "waiting.event",
            data: { index, token: outcome.waitFor!.token, txHashes: outcome.txHashes ?? [] },
            dedupeKey: `${runId}:${index}:waiting`,
          },
        ],
      });
      return { status: "waiting", waitFor: outcome.waitFor };
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
    if (forCompletion && !isTerminal(locked.status) && !locked.cancel_requested_at) {
      const completion = prepareCompletion({
        run: locked,
        read: forCompletion.read,
        step: { index, output: step.output, txHashes: step.tx_hashes },
        cost,
      });
      await writeOutcome(trx, {
        runId,
        index,
        step,
        run: { cost: JSON.stringify(cost), ...completion.run },
        events: [finished, completion.event],
        memory: completion.memory,
        deliveries: completion.deliveries,
      });
    } else {
      await writeOutcome(trx, {
        runId,
        index,
        step,
        run: { cost: JSON.stringify(cost) },
        events: [finished],
      });
    }
    return { status: "completed" };
  });
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

/**
 * The step's row, the run's row, its events (in list order: the insert numbers them by their
 * position in the list), memory and notification deliveries, in one statement of data-modifying
 * CTEs. Made under the run's row lock, so it writes exactly what the separate statements wrote.
 */
async function writeOutcome(
  trx: Kysely<Database>,
  parameters: {
    runId: string;
    index: number;
    step: OutcomeStepColumns;
    run: OutcomeRunColumns;
    events: OutcomeEvent[];
    memory?: MemoryRow[];
    deliveries?: DeliveryRow[];
  },
): Promise<void> {
  const { runId } = parameters;
  await writeOutcomeRows(trx, {
    runId,
    index: parameters.index,
    step: parameters.step,
    run: parameters.run,
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
}

/**
 * writeOutcome's statement, prepared (see prepareQuery): one per shape of the step's and run's
 * columns (waiting, completed, completing the run); the rows of the lists travel as JSON.
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
      events: string;
      memory: string;
      deliveries: string;
    },
  ) =>
    db
      .with("step", (qb) =>
        qb
          .updateTable("run_steps")
          .set(p.step)
          .where("run_id", "=", p.runId)
          .where("step_index", "=", p.index)
          .returning("id"),
      )
      .with("run", (qb) =>
        qb.updateTable("runs").set(p.run).where("id", "=", p.runId).returning("id"),
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
              ]),
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
              .selectAll("delivery"),
          )
          .onConflict((oc) => oc.columns(["endpoint_id", "event_id"]).doNothing())
          .returning("id"),
      )
      .selectFrom("run")
      .select("id"),
);
