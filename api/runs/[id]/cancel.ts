import { getDb } from "../../../lib/db/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { cancelledRun } from "../../../lib/runs/responses.js";
import { runId } from "../../../lib/runs/schemas.js";
import { cancelRun } from "../../../lib/runs/wake/cancelRun.js";

/** POST /api/runs/{id}/cancel — the kill switch; no payment or swap starts after it is accepted. */
export const POST = endpoint(
  {
    route: "/api/runs/[id]/cancel",
    method: "POST",
    operationId: "cancelRun",
    summary: "Kill switch: no payment or swap starts after it is accepted",
    tags: ["runs"],
    auth: ["admin", "agent"],
    params: { id: runId },
    success: { status: 202, description: "Cancellation accepted", schema: cancelledRun },
    responses: { 409: "The run already ended" },
  },
  async ({ principal, params }) => await cancelRun(await getDb(), principal, params.id),
);
