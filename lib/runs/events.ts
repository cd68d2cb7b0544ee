import { type Kysely, sql } from "kysely";
import type { Database } from "../db/database.js";

/** Progress events a run emits; the SSE stream relays them in order. */
export type RunEventType =
  | "run.accepted"
  | "run.planned"
  | "step.started"
  | "step.finished"
  | "approval.required"
  | "approval.decided"
  | "waiting.event"
  | "run.completed"
  | "run.failed"
  | "run.cancelled";

export interface RunEvent {
  id: string;
  runId: string;
  type: RunEventType;
  data: unknown;
  createdAt: string;
}

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

/** Events of a run after `afterId` (exclusive), oldest first. */
export async function listRunEvents(
  db: Kysely<Database>,
  runId: string,
  options: { afterId?: string; limit?: number } = {},
): Promise<RunEvent[]> {
  let query = db
    .selectFrom("run_events")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("id", "asc")
    .limit(options.limit ?? 500);
  if (options.afterId) query = query.where(sql<boolean>`id > ${options.afterId}::bigint`);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    runId: row.run_id,
    type: row.type as RunEventType,
    data: row.data,
    createdAt: row.created_at.toISOString(),
  }));
}
