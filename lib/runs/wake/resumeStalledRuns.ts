import { reenqueueRun } from "@workflow/core/runtime";
import type { Event } from "@workflow/world";
import type { Kysely } from "kysely";
import { getWorld } from "workflow/runtime";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { listQuietRuns } from "./listQuietRuns.js";

/**
 * The newest event of a run after which the world owes the run a flow invocation: the workflow
 * has not begun, or has something new to read (a step's outcome, a hook's payload, a timer that
 * fired, a hook conflict to retry). Every other event is written by the flow itself as it
 * suspends (a step, hook or timer created), so what comes next is owed by a step's job, a hook
 * or a timer, whose own recovery (stale-lock reclaim, the wake reconcilers, the timer) applies.
 */
const owesFlowInvocation: ReadonlySet<Event["eventType"]> = new Set([
  "run_created",
  "run_started",
  "step_completed",
  "step_failed",
  "hook_received",
  "hook_conflict",
  "wait_completed",
]);

/** What one pass did. */
export interface ResumeStalledRunsResult {
  /** Runs whose newest workflow event was read. */
  checked: number;
  /** Runs whose workflow was queued again. */
  resumed: string[];
}

/** Where the round-robin pass left off, and when it last ran. */
let cursor = "";
let lastPassAt = 0;

/**
 * Safety net for a lost workflow continuation. A step's outcome is written before the world is
 * asked to run the workflow on; if that request is lost (a host killed between the two, a queue
 * job dropped for good), the run would stay `running` with nothing in flight and nothing named
 * to wait on. Found by the run's newest workflow event: one that owes a flow invocation
 * (owesFlowInvocation) and is older than `quietMs`. Such a run is queued again; a workflow
 * replays its event log deterministically, so a duplicate invocation only repeats the replay.
 *
 * Only rows in `running`: waiting ones are the approval and event reconcilers' (they resume the
 * hook, which queues the workflow). A pass runs at most every `quietMs / 2` and reads at most
 * `limit` runs, oldest first, round-robin, so its cost stays bounded however often it is called.
 */
export async function resumeStalledRuns(
  db: Kysely<Database>,
  options: { quietMs: number; limit?: number; now?: Date },
): Promise<ResumeStalledRunsResult> {
  const result: ResumeStalledRunsResult = { checked: 0, resumed: [] };
  const now = options.now ?? new Date();
  if (options.quietMs <= 0 || now.getTime() - lastPassAt < options.quietMs / 2) return result;
  lastPassAt = now.getTime();
  const limit = options.limit ?? 25;
  const cutoff = new Date(now.getTime() - options.quietMs);
  const page = await listQuietRuns(db, {
    statuses: ["running"],
    before: cutoff,
    after: cursor,
    limit,
  });
  cursor = page.next;

  const world = getWorld();
  for (const { id, workflowRunId } of page.runs) {
    try {
      const newest = await world.events.list({
        runId: workflowRunId,
        pagination: { limit: 1, sortOrder: "desc" },
        resolveData: "none",
      });
      result.checked++;
      const event = newest.data[0];
      if (!event || !owesFlowInvocation.has(event.eventType)) continue;
      if (event.createdAt.getTime() > cutoff.getTime()) continue;
      await reenqueueRun(world, workflowRunId);
      result.resumed.push(id);
      log.warn("resumed a stalled run: its workflow was owed an invocation", {
        runId: id,
        workflowRunId,
        after: event.eventType,
        quietSeconds: Math.round((now.getTime() - event.createdAt.getTime()) / 1000),
      });
    } catch (error) {
      // One run the world cannot answer for now must not hold up the others; the next pass retries.
      log.warn("could not check a run for a lost continuation", { runId: id, error });
    }
  }
  return result;
}
