import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { endSubscription } from "../../subscriptions/renewal/endSubscription.js";
import { markEndedRunPaymentsUnknown } from "../../x402/paymentRecords.js";
import { stepEvidence } from "../execute/stepEvidence.js";
import { failRun } from "../runState.js";
import { listQuietRuns } from "./listQuietRuns.js";
import { resolveHeldSpends, resolveRunSpends } from "./resolveHeldSpends.js";
import { readWorkflowRun, type WorkflowRunState } from "./workflowStatus.js";

/** What one reconciler pass did. */
export interface FinishEndedRunsResult {
  /** Active run rows whose workflow was looked up. */
  checked: number;
  /** Rows marked failed because their workflow had ended. */
  finished: number;
  settled: number;
  released: number;
}

/** Statuses of a run row whose workflow is still expected to finish it. */
const activeStatuses = ["running", "waiting_approval", "waiting_event"] as const;

/** Where the round-robin pass left off, so long waits do not starve newer rows. */
let cursor = "";

/**
 * Finishes run rows whose workflow ended without finishing them (its retries ran out, a step
 * crashed for good, the workflow was cancelled or could not replay after a redeploy): reads the
 * workflow's status through the world, marks the row failed with the reason, hands payments it
 * sent and never saw end to the payments reconciler, and settles or releases its reservations —
 * released only when nothing a step sent may still land. Then
 * resolves reservations other ended runs still hold once the chain has answered. No run stays
 * `running` forever. Called from the background checks (cron on Vercel, an interval locally).
 */
export async function finishEndedRuns(
  db: Kysely<Database>,
  options: { limit?: number; quietMs?: number } = {},
): Promise<FinishEndedRunsResult> {
  const limit = options.limit ?? 25;
  const cutoff = new Date(Date.now() - (options.quietMs ?? 2000));
  const page = await listQuietRuns(db, {
    statuses: activeStatuses,
    before: cutoff,
    after: cursor,
    limit,
  });
  cursor = page.next;
  const rows = page.runs;

  const result: FinishEndedRunsResult = {
    checked: rows.length,
    finished: 0,
    settled: 0,
    released: 0,
  };
  for (const row of rows) {
    const workflow = await readWorkflowRun(row.workflowRunId);
    if (!workflow || workflow.status === "pending" || workflow.status === "running") continue;
    try {
      if (await finishRow(db, row.id, workflow)) result.finished++;
      // Sent and pending, with no step left to finish them: the payments check asks the chain next.
      await markEndedRunPaymentsUnknown(db, row.id);
      const spends = await resolveRunSpends(db, row.id);
      result.settled += spends.settled;
      result.released += spends.released;
    } catch (error) {
      // One row that cannot be finished now must not hold up the others; the next pass retries it.
      log.warn("could not finish an ended run", { runId: row.id, error });
    }
  }
  const held = await resolveHeldSpends(db);
  result.settled += held.settled;
  result.released += held.released;
  return result;
}

/** Marks the row failed with why its workflow ended; the step that was in flight carries it. */
async function finishRow(
  db: Kysely<Database>,
  runId: string,
  workflow: WorkflowRunState,
): Promise<boolean> {
  const inFlight = await db
    .selectFrom("run_steps")
    .select(["step_index", "action"])
    .where("run_id", "=", runId)
    .where("status", "in", ["running", "waiting_event", "waiting_approval"])
    .orderBy("step_index")
    .executeTakeFirst();
  const ended =
    workflow.status === "failed"
      ? `its workflow failed: ${workflow.error ?? "no reason given"}`
      : workflow.status === "cancelled"
        ? "its workflow was cancelled"
        : "its workflow ended without finishing it";
  let held = "";
  if (inFlight) {
    const evidence = await stepEvidence(db, `${runId}:${inFlight.step_index}`);
    if (evidence.state === "pending")
      held = ` Action ${inFlight.step_index + 1} (${inFlight.action}): ${evidence.detail}; its budget stays reserved until the chain says what happened.`;
  }
  const message = `The run stopped before it finished: ${ended}.${held}`;
  const before = await db
    .selectFrom("runs")
    .select(["status", "kind", "options"])
    .where("id", "=", runId)
    .executeTakeFirst();
  const subscriptionId = (before?.options as { subscriptionId?: string } | null)?.subscriptionId;
  if (before?.kind === "subscription" && subscriptionId) {
    // Nothing renews it any more: an active subscription without its renewal run would lie.
    await endSubscription(db, { subscriptionId, status: "failed", reason: message }).catch(
      (error: unknown) => log.warn("could not end the subscription", { subscriptionId, error }),
    );
  }
  await failRun(db, runId, {
    code: "workflow_ended",
    message,
    ...(inFlight ? { step: inFlight.step_index } : {}),
  });
  log.warn("run finished by the reconciler", { runId, workflow: workflow.status, message });
  return before !== undefined && before.status !== "failed";
}
