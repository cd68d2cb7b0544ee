import type { Kysely } from "kysely";
import { describeAction } from "../../actions/registry.js";
import { Action } from "../../actions/schemas.js";
import type { Command } from "../../agent/intent.js";
import { rememberRun } from "../../agent/memory.js";
import type { Plan } from "../../agent/plan.js";
import type { Database } from "../../db/database.js";
import { notifyRunFinished } from "../../notifications/notifyRunFinished.js";
import { appendRunEvent } from "../events.js";

/**
 * Marks the run completed with every action's output (and its human line) as its result, and
 * remembers it in the session's memory so later commands can say "do that again" or "swap it back".
 */
export async function completeRun(
  trx: Kysely<Database>,
  runId: string,
  cost: unknown,
): Promise<void> {
  const steps = await trx
    .selectFrom("run_steps")
    .select(["step_index", "action", "input", "output", "tx_hashes"])
    .where("run_id", "=", runId)
    .orderBy("step_index")
    .execute();
  const run = await trx
    .selectFrom("runs")
    .select(["session_id", "kind", "intent", "plan", "api_key_id"])
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  if (run.kind === "command" && run.intent && run.plan) {
    // What each action really produced (a swap's output), for "swap it back".
    const swapOutputs: Record<number, string> = {};
    for (const step of steps) {
      const amountOut = (step.output as { amountOut?: unknown } | null)?.amountOut;
      if (typeof amountOut === "string") swapOutputs[step.step_index] = amountOut;
    }
    await rememberRun(trx, {
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
  await trx
    .updateTable("runs")
    .set({ status: "completed", result: JSON.stringify(result), finished_at: now, updated_at: now })
    .where("id", "=", runId)
    .execute();
  await appendRunEvent(trx, {
    runId,
    type: "run.completed",
    data: { result, cost },
    dedupeKey: `${runId}:completed`,
  });
  await notifyRunFinished(trx, {
    runId,
    status: "completed",
    agentKeyId: run.api_key_id,
    summary: result.actions.map((a) => a.summary ?? a.type).join("; ") || "completed",
  });
}
