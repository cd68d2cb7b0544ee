import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { listRuns } from "../../lib/runs/read/listRuns.js";
import { runPage } from "../../lib/runs/responses.js";
import { listRunsQuery } from "../../lib/runs/schemas.js";

/** GET /api/runs?sessionId&status&limit&cursor — newest first. */
export const GET = endpoint(
  {
    route: "/api/runs",
    method: "GET",
    operationId: "listRuns",
    summary: "Runs visible to the caller, newest first",
    tags: ["runs"],
    auth: "any",
    query: listRunsQuery,
    success: { status: 200, description: "A page of runs", schema: runPage },
  },
  async ({ principal, query }) => await listRuns(await getDb(), principal, query),
);
