import { type Kysely, sql } from "kysely";
import { describeAction } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { ActionOutcome } from "../../actions/types.js";
import type { MemoryRow } from "../../agent/memory.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run, RunStatus } from "../../db/database.js";
import type { DeliveryRow } from "../../notifications/emitNotification.js";
import type { RunEventType } from "../events.js";
import { isTerminal, lockRun, runCostWith } from "../runState.js";
import type { ActionResult } from "./openGate.js";
import { prepareCompletion } from "./prepareCompletion.js";

/**
 * Writes an action's result, cost and events, or its wait for a chain or payment event; completes
 * the run after its last action.
 *
 * Under the run's row lock, as before (the running cost total is read and rewritten, and the
 * completion reads the steps): only the writes are gathered into one statement, so the
 * transaction is BEGIN, the lock, (the completion's one read,) the writes, COMMIT.
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
    const locked = await lockRun(trx, runId);
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
    if (isLast && !isTerminal(locked.status) && !locked.cancel_requested_at) {
      const completion = await prepareCompletion(trx, {
        run: locked,
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

/**
 * The step's row, the run's row, its events (in order: one multi-row insert numbers them in list
 * order), memory and notification deliveries, in one statement of data-modifying CTEs. Made under
 * the run's row lock, so it writes exactly what the separate statements wrote.
 */
async function writeOutcome(
  trx: Kysely<Database>,
  parameters: {
    runId: string;
    index: number;
    step: {
      status: "waiting_event" | "completed";
      output: string | undefined;
      tx_hashes: string;
      cost: string;
      finished_at?: Date;
      duration_ms?: number;
    };
    run: {
      cost: string;
      status?: RunStatus;
      result?: string;
      finished_at?: Date;
      updated_at?: Date;
    };
    events: OutcomeEvent[];
    memory?: MemoryRow[];
    deliveries?: DeliveryRow[];
  },
): Promise<void> {
  const { runId, index } = parameters;
  await trx
    .with("step", (qb) =>
      qb
        .updateTable("run_steps")
        .set(parameters.step)
        .where("run_id", "=", runId)
        .where("step_index", "=", index)
        .returning("id"),
    )
    .with("run", (qb) =>
      qb.updateTable("runs").set(parameters.run).where("id", "=", runId).returning("id"),
    )
    .with("events", (qb) =>
      qb
        .insertInto("run_events")
        .values(
          parameters.events.map((event) => ({
            run_id: runId,
            type: event.type,
            data: JSON.stringify(event.data ?? {}),
            dedupe_key: event.dedupeKey,
          })),
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
              sql<MemoryRow>`jsonb_to_recordset(${JSON.stringify(parameters.memory ?? [])}::jsonb)`.as<"remembered">(
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
              sql<DeliveryRow>`jsonb_to_recordset(${JSON.stringify(parameters.deliveries ?? [])}::jsonb)`.as<"delivery">(
                sql`delivery(id text, endpoint_id text, event_id text, event_type text, body text, status text, next_attempt_at timestamptz, created_at timestamptz)`,
              ),
            )
            .selectAll("delivery"),
        )
        .onConflict((oc) => oc.columns(["endpoint_id", "event_id"]).doNothing())
        .returning("id"),
    )
    .selectFrom("run")
    .select("id")
    .execute();
}
