import { getDb } from "../../../lib/db/index.js";
import { guard } from "../../../lib/http/guard.js";
import { route, validate } from "../../../lib/http/index.js";
import { getRunFor } from "../../../lib/runs/read/getRunFor.js";
import { streamRunEvents } from "../../../lib/runs/read/streamRunEvents.js";
import { runId } from "../../../lib/runs/schemas.js";

/** GET /api/runs/{id}/events — Server-Sent Events; reconnect with Last-Event-ID. */
export const GET = route("/api/runs/[id]/events", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(runId, params.id, "run id");
  const db = await getDb();
  await getRunFor(db, principal, id);
  const lastEventId =
    request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  const after = lastEventId && /^\d{1,18}$/.test(lastEventId) ? lastEventId : undefined;
  return streamRunEvents(db, id, { afterId: after, signal: request.signal });
});
