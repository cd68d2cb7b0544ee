import { z } from "zod";
import { getDb } from "../../../lib/db/index.js";
import { guard } from "../../../lib/http/guard.js";
import { json, parseJsonBody, parseQuery, route } from "../../../lib/http/index.js";
import { createSessionRequest } from "../../../lib/runs/schemas.js";
import { resolveBudget } from "../../../lib/runs/start/planning.js";
import { createSession } from "../../../lib/sessions/createSession.js";
import { listSessions } from "../../../lib/sessions/listSessions.js";
import { viewSession } from "../../../lib/sessions/viewSession.js";

export const listQuery = z
  .object({
    status: z.enum(["active", "closed"]).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(100).optional(),
  })
  .strict();

/** GET /api/agent/sessions — sessions visible to the caller, newest first. */
export const GET = route("/api/agent/sessions", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listQuery);
  const { sessions, nextCursor } = await listSessions(await getDb(), principal, query);
  return json({ sessions: sessions.map((s) => viewSession(s)), nextCursor });
});

/** POST /api/agent/sessions — open a session with a budget, a daily limit and an approval threshold. */
export const POST = route("/api/agent/sessions", async (request) => {
  const principal = await guard(request);
  const body = await parseJsonBody(request, createSessionRequest);
  const session = await createSession(await getDb(), {
    principal,
    budget: body.budget ? resolveBudget(body.budget) : undefined,
    dailyLimit: body.dailyLimit ? resolveBudget(body.dailyLimit) : undefined,
    approvalThresholdUsd: body.approvalThreshold,
  });
  return json(viewSession(session), { status: 201 });
});
