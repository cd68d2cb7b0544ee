import { getDb } from "../../../lib/db/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { closeSession } from "../../../lib/sessions/closeSession.js";
import { getSessionFor } from "../../../lib/sessions/getSession.js";
import { sessionId } from "../../../lib/sessions/schemas.js";
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
    success: { status: 200, description: "The session" },
  },
  async ({ principal, params }) => {
    const db = await getDb();
    return await viewSession(await getSessionFor(db, principal, params.id), db);
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
    success: { status: 200, description: "The closed session" },
  },
  async ({ principal, params }) => await closeSession(await getDb(), principal, params.id),
);
