import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { type LogEntry, type LogRow, levelOf, toLogEntry, typesAtLeast } from "./logEntry.js";
import { type ListLogsQuery, type LogLevel, logLevels } from "./schemas.js";

/** One page of log entries, oldest first. */
export interface LogPage {
  logs: LogEntry[];
  nextCursor: string | null;
}

/**
 * The execution log (GET /api/logs): run events of the runs the principal may see (admins all,
 * other keys their own sessions'), filtered by session, run, minimum level and time, oldest
 * first, keyset-paged on the event sequence.
 */
export async function listLogs(
  db: Kysely<Database>,
  principal: Principal,
  query: Omit<ListLogsQuery, "limit"> & { limit?: number },
): Promise<LogPage> {
  const limit = query.limit ?? 100;
  let select = selectLogRows(db);
  if (principal.scope !== "admin") {
    select = select.where("agent_sessions.api_key_id", "=", principal.keyId);
  }
  if (query.sessionId) select = select.where("runs.session_id", "=", query.sessionId);
  if (query.runId) select = select.where("run_events.run_id", "=", query.runId);
  if (query.from) select = select.where("run_events.created_at", ">=", query.from);
  if (query.to) select = select.where("run_events.created_at", "<", query.to);
  if (query.cursor) select = select.where("run_events.id", ">", query.cursor as never);
  const types = query.level ? typesAtLeast(query.level) : undefined;
  if (types) select = select.where("run_events.type", "in", types);
  // step.finished and approval.decided are errors or warnings only for some data: read a little
  // further and filter exactly on the derived level.
  const rows: LogRow[] = [];
  let last: string | undefined;
  let exhausted = false;
  for (let pass = 0; pass < 5 && rows.length <= limit; pass++) {
    const batch = await (last ? select.where("run_events.id", ">", last as never) : select)
      .limit(limit + 1)
      .execute();
    for (const row of batch) {
      last = String(row.id);
      if (!query.level || atLeast(levelOf(row.type, rowData(row)), query.level)) rows.push(row);
    }
    if (batch.length <= limit) {
      exhausted = true;
      break;
    }
  }
  const page = rows.slice(0, limit);
  // A short page that stopped reading early still has a next page: resume after what was scanned.
  const nextCursor =
    rows.length > limit ? String(page.at(-1)!.id) : exhausted ? null : (last ?? null);
  return { logs: page.map(toLogEntry), nextCursor };
}

/** The join every log query shares: events with their run's session and its key. */
export function selectLogRows(db: Kysely<Database>) {
  return db
    .selectFrom("run_events")
    .innerJoin("runs", "runs.id", "run_events.run_id")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .select([
      "run_events.id",
      "run_events.run_id",
      "runs.session_id",
      "run_events.type",
      "run_events.data",
      "run_events.created_at",
    ])
    .orderBy("run_events.id");
}

function rowData(row: LogRow): Record<string, unknown> {
  return (row.data ?? {}) as Record<string, unknown>;
}

function atLeast(level: LogLevel, minimum: LogLevel): boolean {
  return logLevels.indexOf(level) >= logLevels.indexOf(minimum);
}
