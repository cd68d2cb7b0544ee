import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { parseJsonBody, route } from "../../lib/http/index.js";
import { executeRequest } from "../../lib/runs/schemas.js";
import { acceptedResponse, idempotencyKeyOf } from "../../lib/runs/start/accepted.js";
import { checkCommand, resolveBudget } from "../../lib/runs/start/planning.js";
import { startRun } from "../../lib/runs/start/startRun.js";

/** POST /api/agent/execute — accept a command and start its durable run (202). */
export const POST = route("/api/agent/execute", async (request) => {
  const principal = await guard(request, { rateLimit: "command" });
  const body = await parseJsonBody(request, executeRequest);
  const idempotencyKey = idempotencyKeyOf(request);
  // Reject what the grammar can already tell is wrong (and no model could rescue) before starting anything.
  checkCommand(body.command);
  const db = await getDb();
  const { run, created } = await startRun(db, {
    principal,
    command: body.command,
    sessionId: body.sessionId,
    budget: body.budget ? resolveBudget(body.budget) : undefined,
    approvalThresholdUsd: body.approvalThreshold,
    options: body.approvalTimeoutSeconds
      ? { approvalTimeoutSeconds: body.approvalTimeoutSeconds }
      : undefined,
    idempotencyKey,
  });
  return acceptedResponse(run, created);
});
