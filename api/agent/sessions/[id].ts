import { getDb } from "../../../lib/db/index.js";
import { guard } from "../../../lib/http/guard.js";
import { json, route, validate } from "../../../lib/http/index.js";
import { sessionId } from "../../../lib/runs/schemas.js";
import { closeSession } from "../../../lib/sessions/closeSession.js";
import { getSessionFor } from "../../../lib/sessions/getSession.js";
import { viewSession } from "../../../lib/sessions/viewSession.js";

/** GET /api/agent/sessions/{id} — the session with its budget: spent, reserved, remaining. */
export const GET = route("/api/agent/sessions/[id]", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(sessionId, params.id, "session id");
  const db = await getDb();
  const session = await getSessionFor(db, principal, id);
  return json(await viewSession(session, db));
});

/** DELETE /api/agent/sessions/{id} — cancel the session's active runs and close it. */
export const DELETE = route("/api/agent/sessions/[id]", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(sessionId, params.id, "session id");
  return json(await closeSession(await getDb(), principal, id));
});
