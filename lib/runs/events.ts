import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";

/** Progress events a run emits; the SSE stream relays them in order. */
export type RunEventType =
  | "run.accepted"
  | "run.planned"
  | "step.started"
  | "step.finished"
  | "approval.required"
  | "approval.decided"
  | "approval.vote"
  | "waiting.event"
  | "run.completed"
  | "run.failed"
  | "run.cancelled";

/**
 * Appends an event. `dedupeKey` makes the append idempotent, so a step retried after a crash
 * does not emit the same event twice.
 */
export async function appendRunEvent(
  db: Kysely<Database>,
  event: { runId: string; type: RunEventType; data?: unknown; dedupeKey?: string },
): Promise<void> {
  await db
    .insertInto("run_events")
    .values({
      run_id: event.runId,
      type: event.type,
      data: JSON.stringify(event.data ?? {}),
      dedupe_key: event.dedupeKey ?? null,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .execute();
}
