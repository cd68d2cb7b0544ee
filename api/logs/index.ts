import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { listLogs } from "../../lib/logs/listLogs.js";
import { listLogsQuery, logPageResponse } from "../../lib/logs/schemas.js";

/** GET /api/logs?sessionId&runId&level&from&to&limit&cursor — the execution log, oldest first. */
export const GET = endpoint(
  {
    route: "/api/logs",
    method: "GET",
    operationId: "listLogs",
    summary: "Execution log: run events by session, run, level and time",
    tags: ["logs"],
    auth: "any",
    query: listLogsQuery,
    success: { status: 200, description: "{logs, nextCursor}", schema: logPageResponse },
  },
  async ({ principal, query }) => listLogs(await getDb(), principal, query),
);
