import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { getLog } from "../../lib/logs/getLog.js";
import { logEntryResponse, logId } from "../../lib/logs/schemas.js";

/** GET /api/logs/{id} — one execution log entry. */
export const GET = endpoint(
  {
    route: "/api/logs/[id]",
    method: "GET",
    operationId: "getLog",
    summary: "One execution log entry",
    tags: ["logs"],
    auth: "any",
    params: { id: logId },
    success: { status: 200, description: "The entry", schema: logEntryResponse },
  },
  async ({ principal, params }) => getLog(await getDb(), principal, params.id),
);
