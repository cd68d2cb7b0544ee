import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { Database, Run } from "../../db/database.js";
import { readIdCursor } from "../../http/readIdCursor.js";
import { summarizeRun } from "./runView.js";

/** Runs visible to the principal, newest first; the cursor is the last id of the previous page. */
export async function listRuns(
  db: Kysely<Database>,
  principal: Principal,
  options: { sessionId?: string; status?: Run["status"]; limit: number; cursor?: string },
): Promise<{ runs: ReturnType<typeof summarizeRun>[]; nextCursor: string | null }> {
  const cursor = readIdCursor(options.cursor, "run");
  let query = db
    .selectFrom("runs")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .selectAll("runs")
    .orderBy("runs.id", "desc")
    .limit(options.limit + 1);
  if (principal.scope !== "admin")
    query = query.where("agent_sessions.api_key_id", "=", principal.keyId);
  if (options.sessionId) query = query.where("runs.session_id", "=", options.sessionId);
  if (options.status) query = query.where("runs.status", "=", options.status);
  if (cursor) query = query.where("runs.id", "<", cursor);
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  return {
    runs: page.map(summarizeRun),
    nextCursor: rows.length > options.limit ? page.at(-1)!.id : null,
  };
}
