import { json } from "../http/respond.js";
import { log } from "../log.js";

/** A Workflow DevKit queue endpoint: the flow or step bundle's POST. */
type QueueHandler = (request: Request) => Promise<Response>;

/**
 * A queue delivery answered within `deadlineMs` (the step deadline, longer than any step runs), or
 * with a 504 that makes the world deliver it again. Both worlds wait for a delivery's answer
 * without a limit, and both hold back what comes after it: the local world skips a message queued
 * again under the key of one in flight, and the Postgres world queues a run's next turn, or a
 * step's next delivery, behind the one still running in this process. One delivery that never
 * answers (a hung call inside a step) would hold its run until the host restarts; past the deadline
 * it is abandoned instead. The abandoned call may still finish: steps are idempotent, so a late
 * outcome is refused or repeats what the next delivery recorded. 0 turns the deadline off.
 */
export function answerWithinDeadline(handler: QueueHandler, deadlineMs: number): QueueHandler {
  if (deadlineMs <= 0) return handler;
  return (request) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Response>((resolve) => {
      timer = setTimeout(() => {
        const { pathname } = new URL(request.url);
        log.warn("abandoned a queue delivery past the step deadline; the world delivers it again", {
          endpoint: pathname,
          queue: request.headers.get("x-vqs-queue-name"),
          messageId: request.headers.get("x-vqs-message-id"),
          attempt: request.headers.get("x-vqs-message-attempt"),
          deadlineSeconds: deadlineMs / 1000,
        });
        resolve(
          json(
            {
              error: {
                code: "delivery_deadline",
                message: `No answer within the step deadline (${deadlineMs / 1000} s)`,
              },
            },
            { status: 504 },
          ),
        );
      }, deadlineMs);
      timer.unref();
    });
    return Promise.race([handler(request), deadline]).finally(() => clearTimeout(timer));
  };
}
