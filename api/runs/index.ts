import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { listRuns } from "../../lib/runs/read/listRuns.js";
import { listRunsQuery } from "../../lib/runs/schemas.js";

/** GET /api/runs?sessionId&status&limit&cursor — newest first. */
export const GET = route("/api/runs", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listRunsQuery);
  return json(await listRuns(await getDb(), principal, query));
});
