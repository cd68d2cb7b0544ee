import type { Kysely } from "kysely";
import type { Command } from "../../agent/intent.js";
import type { ModelUsage } from "../../agent/model/modelCommand.js";
import type { Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import type { CostItem } from "../cost.js";
import {
  addRunCost,
  isTerminal,
  lockRun,
  readRunStatus,
  runCostWith,
  terminalRunStatuses,
} from "../runState.js";
import { claimRun } from "./claimRun.js";
import { failRunAndStop, hintsOf, messageOf, retryLater, routeStepError } from "./stepErrors.js";
import { modelCost, understandRun } from "./understandRun.js";

/** Input of the parse step. */
export interface ParseRunParameters {
  runId: string;
  workflowRunId: string;
}

/** What the workflow needs after parsing: go on to plan, or stop. */
export interface ParsedRun {
  status: "parsed" | "failed" | "cancelled" | "completed" | "duplicate";
}

/**
 * Step 1 of every run: bind the run to this workflow, then understand the command (the grammar, or
 * the model when one is configured) and store the intent with the model's token cost. Its own step
 * so that a crash later never asks the model again: a retry finds the stored intent.
 */
export async function parseRun(
  db: Kysely<Database>,
  parameters: ParseRunParameters & { attempt: number },
): Promise<ParsedRun> {
  const { runId, workflowRunId } = parameters;
  const claim = await claimRun(db, runId, workflowRunId);
  if (claim.status !== "ok") return { status: claim.status };
  const { run } = claim;
  if (isTerminal(run.status)) return { status: run.status as ParsedRun["status"] };
  if (run.intent) return { status: "parsed" };

  let understood: { command: Command; usage?: ModelUsage };
  try {
    understood = await understandRun(db, run);
  } catch (error) {
    const route = routeStepError(error);
    // The model's tokens were spent even when its answer (or its provider) failed: record them.
    const usage = (error as { usage?: ModelUsage } | null)?.usage;
    const askedModel = usage !== undefined || (error as Error)?.name === "ModelInterpretationError";
    if (askedModel && route !== "rethrow")
      await addCost(db, run, [modelCost(usage, messageOf(error))]);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, "Understanding the command");
    return failRunAndStop(db, runId, {
      code: "plan_failed",
      message: messageOf(error),
      ...hintsOf(error),
    });
  }

  return { status: await storeIntent(db, runId, understood) };
}

/**
 * Stores the intent unless the run ended meanwhile. Without a model cost this is one
 * `update … where status is not terminal`: the row lock the update takes and its re-check of the
 * status are what the locked read guarded. A model cost is added to the running total, which
 * needs the total read under the lock (other writers add to it too).
 */
async function storeIntent(
  db: Kysely<Database>,
  runId: string,
  understood: { command: Command; usage?: ModelUsage },
): Promise<ParsedRun["status"]> {
  const intent = JSON.stringify(understood.command);
  const { usage } = understood;
  if (!usage) {
    const [stored] = await updateIntent(db, { runId, intent, now: new Date() });
    if (stored) return "parsed";
    return ((await readRunStatus(db, runId)) ?? "failed") as ParsedRun["status"];
  }
  const stored = await db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, runId);
    if (!locked || isTerminal(locked.status)) return locked?.status ?? "failed";
    const cost = runCostWith(locked, [modelCost(usage)]);
    await trx
      .updateTable("runs")
      .set({ intent, cost: JSON.stringify(cost), updated_at: new Date() })
      .where("id", "=", runId)
      .execute();
    return "parsed" as const;
  });
  return stored as ParsedRun["status"];
}

async function addCost(db: Kysely<Database>, run: Run, items: CostItem[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, run.id);
    if (locked) await addRunCost(trx, locked, items);
  });
}

// Prepared (see prepareQuery): the parse step of every run without a model stores its intent here.
const updateIntent = prepareQuery(
  "storeIntent",
  (db, p: { runId: string; intent: string; now: Date }) =>
    db
      .updateTable("runs")
      .set({ intent: p.intent, updated_at: p.now })
      .where("id", "=", p.runId)
      .where("status", "not in", terminalRunStatuses)
      .returning("id"),
);
