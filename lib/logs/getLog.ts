import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { selectLogRows } from "./listLogs.js";
import { type LogEntry, toLogEntry } from "./logEntry.js";

/** One log entry the principal may see (GET /api/logs/{id}); 404 otherwise, so ids are not probed. */
export async function getLog(
  db: Kysely<Database>,
  principal: Principal,
  id: string,
): Promise<LogEntry> {
  let query = selectLogRows(db).where("run_events.id", "=", id as never);
  if (principal.scope !== "admin") {
    query = query.where("agent_sessions.api_key_id", "=", principal.keyId);
  }
  const row = await query.executeTakeFirst();
  if (!row) throw new ClientError("not_found", `Log entry ${id} not found`);
  return toLogEntry(row);
}
