import { getDb } from "../../../lib/db/index.js";
import { ClientError } from "../../../lib/errors/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { getRunFor } from "../../../lib/runs/read/getRunFor.js";
import { streamRunEvents } from "../../../lib/runs/read/streamRunEvents.js";
import { runId } from "../../../lib/runs/schemas.js";

/** GET /api/runs/{id}/events — Server-Sent Events; reconnect with Last-Event-ID. */
export const GET = endpoint(
  {
    route: "/api/runs/[id]/events",
    method: "GET",
    operationId: "streamRunEvents",
    summary: "Server-Sent Events of a run; reconnect with Last-Event-ID",
    tags: ["runs"],
    auth: "any",
    params: { id: runId },
    requestHeaders: ["Last-Event-ID"],
    success: { status: 200, description: "An event stream", contentType: "text/event-stream" },
    // Issue 18: a reconnect after the terminal event gets 204, which stops EventSource.
    responses: {
      204: "Last-Event-ID is at or after the run's terminal event: nothing more to send",
      400: "A malformed run id, or a Last-Event-ID (or ?lastEventId) that is not an event id from this stream",
    },
  },
  async ({ request, principal, params }) => {
    const afterId = readLastEventId(request);
    const db = await getDb();
    await getRunFor(db, principal, params.id);
    return streamRunEvents(db, params.id, { afterId, signal: request.signal });
  },
);

/**
 * Where a reconnect resumes: EventSource resends the last id as a header; a plain reconnect may pass
 * it as ?lastEventId. Absent (or empty, EventSource's "no id") replays from the start; anything but
 * an event id (the log's numeric ids) is a 400, never a silent replay of the whole stream.
 */
function readLastEventId(request: Request): string | undefined {
  const lastEventId = (
    request.headers.get("last-event-id") ??
    new URL(request.url).searchParams.get("lastEventId") ??
    ""
  ).trim();
  if (lastEventId === "") return undefined;
  if (!/^\d{1,18}$/.test(lastEventId))
    throw new ClientError("bad_request", "Last-Event-ID must be an event id from this stream");
  return lastEventId;
}
