import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { Database, Run } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";

/** 404 for a run the caller cannot see (or that does not exist). */
function runNotFound(runId: string): ClientError {
  return new ClientError("not_found", `Run ${runId} not found`);
}

/** The run row if the principal may see it (admins see all; other keys their own sessions'). */
export async function getRunFor(
  db: Kysely<Database>,
  principal: Principal,
  runId: string,
): Promise<Run> {
  const row = await db
    .selectFrom("runs")
    .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
    .selectAll("runs")
    .select("agent_sessions.api_key_id as session_key_id")
    .where("runs.id", "=", runId)
    .executeTakeFirst();
  if (!row) throw runNotFound(runId);
  if (principal.scope !== "admin" && row.session_key_id !== principal.keyId)
    throw runNotFound(runId);
  const { session_key_id: _, ...run } = row;
  return run;
}
