import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { listServiceNames } from "../../lib/registry/listServiceNames.js";
import { acceptedRun } from "../../lib/runs/responses.js";
import { executeRequest } from "../../lib/runs/schemas.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { canonicalLimit, checkCommand, resolveBudget } from "../../lib/runs/start/planning.js";
import { startRun } from "../../lib/runs/start/startRun.js";

/** POST /api/agent/execute — accept a command and start its durable run (202). */
export const POST = endpoint(
  {
    route: "/api/agent/execute",
    method: "POST",
    operationId: "executeCommand",
    summary: "Accept a plain-language command and start its durable run",
    tags: ["agent"],
    auth: ["admin", "agent"],
    rateLimit: "command",
    keyControls: "cached",
    body: { name: "ExecuteRequest", schema: executeRequest },
    idempotency: true,
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
      schema: acceptedRun,
    },
    responses: {
      404: "The named session does not exist or is not the caller's",
      422: "The command cannot be understood, or it raises a limit of the key's policy",
      423: "The wallet or this key is frozen",
    },
  },
  async ({ principal, body, idempotencyKey }) => {
    // A malformed budget is the client's 400 before anything else.
    const budget = body.budget ? resolveBudget(body.budget) : undefined;
    const db = await getDb();
    // Reject what the grammar can already tell is wrong (and no model could rescue) before starting anything.
    await checkCommand(body.command, () => listServiceNames(db));
    // Frozen → 423; a threshold or budget above the key's policy → 422 naming the rule.
    const sessionLimits = await checkStartPolicy(db, {
      principal,
      approvalThresholdUsd: body.approvalThreshold,
      budget: budget && canonicalLimit(budget),
    });
    const { run, created } = await startRun(db, {
      principal,
      command: body.command,
      sessionId: body.sessionId,
      budget,
      approvalThresholdUsd: body.approvalThreshold,
      options: body.approvalTimeoutSeconds
        ? { approvalTimeoutSeconds: body.approvalTimeoutSeconds }
        : undefined,
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created);
  },
);
