import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, route, validate } from "../../lib/http/index.js";
import { getRunView } from "../../lib/runs/read/runView.js";
import { runId } from "../../lib/runs/schemas.js";

/** GET /api/runs/{id} — status, intent, plan, execution log, pending approvals, result, cost. */
export const GET = route("/api/runs/[id]", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(runId, params.id, "run id");
  return json(await getRunView(await getDb(), principal, id));
});
