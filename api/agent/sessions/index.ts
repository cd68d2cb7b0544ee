import { getDb } from "../../../lib/db/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { resolveBudget } from "../../../lib/runs/start/planning.js";
import { checkSessionLimits } from "../../../lib/sessions/checkSessionLimits.js";
import { createSession } from "../../../lib/sessions/createSession.js";
import { listSessions } from "../../../lib/sessions/listSessions.js";
import { sessionPage, sessionResponse } from "../../../lib/sessions/responses.js";
import { createSessionRequest, listSessionsQuery } from "../../../lib/sessions/schemas.js";
import { viewSession } from "../../../lib/sessions/viewSession.js";

/** GET /api/agent/sessions — sessions visible to the caller, newest first. */
export const GET = endpoint(
  {
    route: "/api/agent/sessions",
    method: "GET",
    operationId: "listSessions",
    summary: "Sessions visible to the caller, newest first",
    tags: ["agent"],
    auth: ["admin", "agent"],
    query: listSessionsQuery,
    success: { status: 200, description: "A page of sessions", schema: sessionPage },
  },
  async ({ principal, query }) => {
    const { sessions, nextCursor } = await listSessions(await getDb(), principal, query);
    return { sessions: sessions.map((session) => viewSession(session)), nextCursor };
  },
);

/** POST /api/agent/sessions — open a session with a budget, a daily limit and an approval threshold. */
export const POST = endpoint(
  {
    route: "/api/agent/sessions",
    method: "POST",
    operationId: "createSession",
    summary: "Open a session with a budget, a daily limit and an approval threshold",
    tags: ["agent"],
    auth: ["admin", "agent"],
    keyControls: true,
    body: { name: "CreateSessionRequest", schema: createSessionRequest },
    success: { status: 201, description: "The new session", schema: sessionResponse },
    responses: {
      422: "A limit above the key's policy, or an unknown token",
      423: "The wallet or this key is frozen",
    },
  },
  async ({ principal, body }) => {
    // Amounts first: a malformed one or an unknown token is the client's 400, before any policy.
    const budget = body.budget ? resolveBudget(body.budget) : undefined;
    const dailyLimit = body.dailyLimit ? resolveBudget(body.dailyLimit, "dailyLimit") : undefined;
    const db = await getDb();
    // A session may lower the key's policy limits, never raise them (422 naming the rule); a
    // session opened without a threshold takes the policy's.
    const fromPolicy = await checkSessionLimits(db, {
      principal,
      approvalThresholdUsd: body.approvalThreshold,
      budget,
      dailyLimit,
    });
    const session = await createSession(db, {
      principal,
      budget,
      dailyLimit,
      approvalThresholdUsd: body.approvalThreshold ?? fromPolicy.approvalThresholdUsd,
    });
    return viewSession(session);
  },
);
