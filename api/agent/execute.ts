import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, route } from "../../lib/http/index.js";
import { checkCommand, resolveBudget } from "../../lib/runs/planning.js";
import { summarizeRun } from "../../lib/runs/runView.js";
import { executeRequest } from "../../lib/runs/schemas.js";
import { startRun } from "../../lib/runs/startRun.js";

/** POST /api/agent/execute — accept a command and start its durable run (202). */
export const POST = route("/api/agent/execute", async (request) => {
  const principal = await guard(request, { rateLimit: "command" });
  const body = await parseJsonBody(request, executeRequest);
  const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
  if (idempotencyKey !== undefined && !/^[\w.:-]{1,128}$/.test(idempotencyKey)) {
    throw new ClientError(
      "bad_request",
      "Idempotency-Key must be 1–128 characters of letters, digits, . _ : -",
    );
  }
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
  const view = summarizeRun(run);
  return json(
    {
      runId: run.id,
      sessionId: run.session_id,
      status: run.status,
      links: view.links,
      ...(created ? {} : { replayed: true }),
    },
    { status: 202, headers: { location: view.links.self } },
  );
});
