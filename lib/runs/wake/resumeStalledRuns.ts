import { reenqueueRun } from "@workflow/core/runtime";
import type { Event } from "@workflow/world";
import type { Kysely } from "kysely";
import { getWorld } from "workflow/runtime";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { listQuietRuns } from "./listQuietRuns.js";

/**
 * From when a run whose newest workflow event is `event` is owed a flow invocation, or undefined
 * when something else is owed the next move:
 * - a hook created: the run waits on it (the approval and event reconcilers wake it);
 * - the run ended: finishEndedRuns reads it.
 * A step started is in flight: a killed worker's job is reclaimed, or re-run by the next host's
 * start. It is owed only once it has run `stepDeadlineMs` (longer than any step runs): then its
 * job is gone (dropped after its delivery attempts) or its delivery hangs, and nothing else will
 * move the run. A timer is owed from its `resumeAt`, a step's retry from its `retryAfter`. Every
 * other event either leaves the workflow something new to read (a step's outcome, a hook's
 * payload, a timer that fired) or was written just before a queue message (a step created, the
 * run created), so from its own time on, the world owes the run its next turn.
 */
export function owedSince(event: Event, stepDeadlineMs: number): Date | undefined {
  switch (event.eventType) {
    case "hook_created":
    case "run_completed":
    case "run_failed":
    case "run_cancelled":
      return undefined;
    case "step_started":
      if (stepDeadlineMs <= 0) return undefined;
      return new Date(asDate(event.createdAt).getTime() + stepDeadlineMs);
    case "wait_created":
      return asDate(event.eventData.resumeAt);
    case "step_retrying":
      return asDate(event.eventData.retryAfter ?? event.createdAt);
    default:
      return asDate(event.createdAt);
  }
}

/** A world may hand a stored time back as a Date or as its ISO string. */
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

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
 * Safety net for a lost queue message. A step's outcome is written before the world is asked to
 * run the workflow on, and a step is created before its job is queued; if that message is lost (a
 * host killed between the two, a queue job dropped for good after its delivery attempts), the run
 * would stay `running` with nothing in flight and nothing named to wait on. Found by the run's
 * newest workflow event: one after which the run has been owed its next turn (owedSince) for
 * longer than `quietMs`. Such a run's workflow is queued again: it replays its event log
 * deterministically and queues again what it is waiting for (a step's job, under the step's own
 * key, so a job still queued is replaced, not doubled), so a duplicate invocation only repeats
 * the replay.
 *
 * A step that started and never ended counts only after `stepDeadlineMs` (see owedSince).
 *
 * Only rows in `running`: waiting ones are the approval and event reconcilers' (they resume the
 * hook, which queues the workflow). A pass runs at most every `quietMs / 2` and reads at most
 * `limit` runs, oldest first, round-robin, so its cost stays bounded however often it is called.
 */
export async function resumeStalledRuns(
  db: Kysely<Database>,
  options: { quietMs: number; stepDeadlineMs: number; limit?: number },
): Promise<ResumeStalledRunsResult> {
  const result: ResumeStalledRunsResult = { checked: 0, resumed: [] };
  const now = new Date();
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
        resolveData: "all",
      });
      result.checked++;
      const event = newest.data[0];
      const since = event && owedSince(event, options.stepDeadlineMs);
      if (!since || since.getTime() > cutoff.getTime()) continue;
      await reenqueueRun(world, workflowRunId);
      result.resumed.push(id);
      log.warn("resumed a stalled run: its workflow was owed an invocation", {
        runId: id,
        workflowRunId,
        after: event.eventType,
        owedForSeconds: Math.round((now.getTime() - since.getTime()) / 1000),
      });
    } catch (error) {
      // One run the world cannot answer for now must not hold up the others; the next pass retries.
      log.warn("could not check a run for a lost continuation", { runId: id, error });
    }
  }
  return result;
}
