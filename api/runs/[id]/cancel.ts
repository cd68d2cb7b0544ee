import { getDb } from "../../../lib/db/index.js";
import { guard } from "../../../lib/http/guard.js";
import { json, route, validate } from "../../../lib/http/index.js";
import { runId } from "../../../lib/runs/schemas.js";
import { cancelRun } from "../../../lib/runs/wake/cancelRun.js";

/** POST /api/runs/{id}/cancel — the kill switch; no payment or swap starts after it is accepted. */
export const POST = route("/api/runs/[id]/cancel", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(runId, params.id, "run id");
  return json(await cancelRun(await getDb(), principal, id), { status: 202 });
});
