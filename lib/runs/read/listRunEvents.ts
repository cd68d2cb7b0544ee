import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.js";
import type { RunEventType } from "../events.js";

/** One entry of a run's event log, as the SSE stream and tests read it. */
export interface RunEvent {
  id: string;
  runId: string;
  type: RunEventType;
  data: unknown;
  createdAt: string;
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
