import { getDb } from "../../../lib/db/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { resolveBudget } from "../../../lib/runs/start/planning.js";
import { checkSessionLimits } from "../../../lib/sessions/checkSessionLimits.js";
import { closeSession } from "../../../lib/sessions/closeSession.js";
import { getSessionFor } from "../../../lib/sessions/getSession.js";
import {
  closedSessionResponse,
  sessionWithBudgetResponse,
} from "../../../lib/sessions/responses.js";
import { sessionId, updateSessionRequest } from "../../../lib/sessions/schemas.js";
import { updateSession } from "../../../lib/sessions/updateSession.js";
import { viewSession } from "../../../lib/sessions/viewSession.js";

/** GET /api/agent/sessions/{id} — the session with its budget: spent, reserved, remaining. */
export const GET = endpoint(
  {
    route: "/api/agent/sessions/[id]",
    method: "GET",
    operationId: "getSession",
    summary: "A session with its budget: spent, reserved, remaining",
    tags: ["agent"],
    auth: ["admin", "agent"],
    params: { id: sessionId },
    success: { status: 200, description: "The session", schema: sessionWithBudgetResponse },
  },
  async ({ principal, params }) => {
    const db = await getDb();
    return await viewSession(await getSessionFor(db, principal, params.id), db);
  },
);

/**
 * PATCH /api/agent/sessions/{id} {budget?, dailyLimit?, approvalThreshold?} — lowers the session's
 * limits (see updateSession): tighten only, within the key's policy; raising one is a 422.
 */
export const PATCH = endpoint(
  {
    route: "/api/agent/sessions/[id]",
    method: "PATCH",
    operationId: "updateSession",
    summary: "Lower a session's budget, daily limit or approval threshold (tighten only)",
    tags: ["agent"],
    auth: ["admin", "agent"],
    keyControls: true,
    params: { id: sessionId },
    body: { name: "UpdateSessionRequest", schema: updateSessionRequest },
    success: { status: 200, description: "The updated session", schema: sessionWithBudgetResponse },
    responses: {
      409: "The session is closed",
      422: "A limit would rise, or is above the key's policy",
      423: "The wallet or this key is frozen",
    },
  },
  async ({ principal, params, body }) => {
    // Amounts first: a malformed one or an unknown token is the client's 400, before any policy.
    const budget = body.budget ? resolveBudget(body.budget) : undefined;
    const dailyLimit = body.dailyLimit ? resolveBudget(body.dailyLimit, "dailyLimit") : undefined;
    const db = await getDb();
    // Frozen → 423; above the key's policy → 422 naming the rule (as when opening a session).
    await checkSessionLimits(db, {
      principal,
      approvalThresholdUsd: body.approvalThreshold,
      budget,
      dailyLimit,
    });
    const session = await updateSession(db, {
      principal,
      sessionId: params.id,
      budget,
      dailyLimit,
      approvalThresholdUsd: body.approvalThreshold,
    });
    return await viewSession(session, db);
  },
);

/** DELETE /api/agent/sessions/{id} — cancel the session's active runs and close it. */
export const DELETE = endpoint(
  {
    route: "/api/agent/sessions/[id]",
    method: "DELETE",
    operationId: "closeSession",
    summary: "Cancel the session's active runs and close it",
    tags: ["agent"],
    auth: ["admin", "agent"],
    params: { id: sessionId },
    success: { status: 200, description: "The closed session", schema: closedSessionResponse },
    responses: { 409: "The session is already closed" },
  },
  async ({ principal, params }) => await closeSession(await getDb(), principal, params.id),
);
