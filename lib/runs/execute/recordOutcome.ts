import type { Kysely } from "kysely";
import { describeAction } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { ActionOutcome } from "../../actions/types.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run } from "../../db/database.js";
import { appendRunEvent } from "../events.js";
import { addRunCost, isTerminal, lockRun } from "../runState.js";
import { completeRun } from "./completeRun.js";
import type { ActionResult } from "./openGate.js";

/**
 * Writes an action's result, cost and events, or its wait for a chain or payment event; completes
 * the run after its last action.
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
    await trx
      .updateTable("run_steps")
      .set({
        status: waiting ? "waiting_event" : "completed",
        output: JSON.stringify(
          waiting ? { ...(outcome.output as object), waitFor: outcome.waitFor } : outcome.output,
        ),
        tx_hashes: JSON.stringify(outcome.txHashes ?? []),
        cost: JSON.stringify(outcome.cost),
        ...(waiting ? {} : { finished_at: now, duration_ms: Date.now() - parameters.startedAt }),
      })
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .execute();
    const cost = await addRunCost(trx, locked, outcome.cost);
    if (waiting) {
      await trx
        .updateTable("runs")
        .set({ status: "waiting_event", updated_at: now })
        .where("id", "=", runId)
        .execute();
      await appendRunEvent(trx, {
        runId,
        type: "waiting.event",
        data: { index, token: outcome.waitFor!.token, txHashes: outcome.txHashes ?? [] },
        dedupeKey: `${runId}:${index}:waiting`,
      });
      return { status: "waiting", waitFor: outcome.waitFor };
    }
    await appendRunEvent(trx, {
      runId,
      type: "step.finished",
      data: {
        index,
        status: "completed",
        summary: describeAction(action, outcome),
        output: outcome.output,
        txHashes: outcome.txHashes ?? [],
      },
      dedupeKey: `${runId}:${index}:finished`,
    });
    if (isLast && !isTerminal(locked.status) && !locked.cancel_requested_at) {
      await completeRun(trx, runId, cost);
    }
    return { status: "completed" };
  });
}
