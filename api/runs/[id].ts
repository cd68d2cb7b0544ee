import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { getRunView } from "../../lib/runs/read/runView.js";
import { runResponse } from "../../lib/runs/responses.js";
import { runId } from "../../lib/runs/schemas.js";

/** GET /api/runs/{id} — status, intent, plan, execution log, pending approvals, result, cost. */
export const GET = endpoint(
  {
    route: "/api/runs/[id]",
    method: "GET",
    operationId: "getRun",
    summary: "Status, intent, plan, execution log, pending approvals, result and cost of a run",
    tags: ["runs"],
    auth: "any",
    params: { id: runId },
    success: { status: 200, description: "The run", schema: runResponse },
  },
  async ({ principal, params }) => await getRunView(await getDb(), principal, params.id),
);
