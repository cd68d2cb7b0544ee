import { type Kysely, sql } from "kysely";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { listRunEvents } from "./listRunEvents.js";

const terminalEvents = new Set(["run.completed", "run.failed", "run.cancelled"]);
/** How long EventSource waits before reconnecting (sent first, and again when the stream times out). */
const retryMs = 1000;

export interface StreamRunEventsOptions {
  afterId?: string;
  signal?: AbortSignal;
  pollMs?: number;
  /**
   * Close before the platform's function limit (default SSE_MAX_DURATION_SECONDS) with a `retry:`
   * hint; the client reconnects with Last-Event-ID.
   */
  maxDurationMs?: number;
}

/**
 * Server-Sent Events from the run's event log. Each event carries its log id, so a client that
 * reconnects with Last-Event-ID resumes exactly after the last event it saw. The stream ends after
 * the run's terminal event, or before the function's time limit with a `retry:` hint; a client that
 * reconnects after the terminal event gets 204, which tells EventSource to stop reconnecting.
 */
export async function streamRunEvents(
  db: Kysely<Database>,
  runId: string,
  options: StreamRunEventsOptions = {},
): Promise<Response> {
  const encoder = new TextEncoder();
  const pollMs = options.pollMs ?? 150;
  const maxDurationMs = options.maxDurationMs ?? getConfig().SSE_MAX_DURATION_SECONDS * 1000;
  if (options.afterId && (await endedBy(db, runId, options.afterId))) {
    return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  }
  const deadline = Date.now() + maxDurationMs;
  let afterId = options.afterId;
  let closed = false;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const onAbort = () => {
        closed = true;
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
      let lastWrite = Date.now();
      try {
        while (!closed && Date.now() < deadline) {
          const events = await listRunEvents(db, runId, { afterId });
          for (const event of events) {
            const payload = JSON.stringify({ ...(event.data as object), at: event.createdAt });
            controller.enqueue(
              encoder.encode(`id: ${event.id}\nevent: ${event.type}\ndata: ${payload}\n\n`),
            );
            afterId = event.id;
            lastWrite = Date.now();
            if (terminalEvents.has(event.type)) closed = true;
          }
          if (closed) break;
          if (Date.now() - lastWrite > 15_000) {
            controller.enqueue(encoder.encode(": keep-alive\n\n"));
            lastWrite = Date.now();
          }
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
        // Out of time, not out of events: end cleanly before the platform cuts us off mid-write.
        if (!closed) {
          controller.enqueue(
            encoder.encode(`: time limit; reconnect with Last-Event-ID\nretry: ${retryMs}\n\n`),
          );
        }
      } catch (error) {
        controller.enqueue(
          encoder.encode(
            `event: error\ndata: ${JSON.stringify({ message: "stream interrupted" })}\n\n`,
          ),
        );
        void error;
      } finally {
        options.signal?.removeEventListener("abort", onAbort);
        controller.close();
      }
    },
    cancel() {
      closed = true;
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

/** True when the run's terminal event is at or before `afterId`: the client has seen the end. */
async function endedBy(db: Kysely<Database>, runId: string, afterId: string): Promise<boolean> {
  const row = await db
    .selectFrom("run_events")
    .select("id")
    .where("run_id", "=", runId)
    .where("type", "in", [...terminalEvents])
    .where(sql<boolean>`id <= ${afterId}::bigint`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
