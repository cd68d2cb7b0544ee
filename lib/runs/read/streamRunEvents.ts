import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { listRunEvents } from "./listRunEvents.js";

const terminalEvents = new Set(["run.completed", "run.failed", "run.cancelled"]);

export interface StreamRunEventsOptions {
  afterId?: string;
  signal?: AbortSignal;
  pollMs?: number;
  /** Close before the platform's function limit; the client reconnects with Last-Event-ID. */
  maxDurationMs?: number;
}

/**
 * Server-Sent Events from the run's event log. Each event carries its log id, so a client that
 * reconnects with Last-Event-ID resumes exactly after the last event it saw. The stream ends after
 * the run's terminal event.
 */
export function streamRunEvents(
  db: Kysely<Database>,
  runId: string,
  options: StreamRunEventsOptions = {},
): Response {
  const encoder = new TextEncoder();
  const pollMs = options.pollMs ?? 150;
  const deadline = Date.now() + (options.maxDurationMs ?? 280_000);
  let afterId = options.afterId;
  let closed = false;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const onAbort = () => {
        closed = true;
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      controller.enqueue(encoder.encode("retry: 1000\n\n"));
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
