/** A Workflow DevKit queue endpoint: the flow or step bundle's POST. */
export type QueueHandler = (request: Request) => Promise<Response> | Response;

/** The local world exposes this (undocumented, so feature-detected); other worlds do not. */
interface InProcessQueue {
  registerHandler?: (prefix: string, handler: QueueHandler) => void;
}

/**
 * Makes the local world's queue call the flow and step handlers in this process instead of
 * fetching them over loopback HTTP. Besides a fetch, an HTTP parse and two body copies per step,
 * each such fetch hangs an abort listener on the queue's one long-lived close signal, and Node 20
 * removes it only when the request is garbage-collected: in a quiet process they pile up to
 * "MaxListenersExceededWarning: 1501 abort listeners added to [AbortSignal]". Returns false (and
 * changes nothing) for a world without in-process delivery, e.g. the Postgres world.
 */
export function registerInProcessHandlers(
  world: unknown,
  handlers: { flow: QueueHandler; step: QueueHandler },
): boolean {
  const queue = world as InProcessQueue;
  if (typeof queue.registerHandler !== "function") return false;
  queue.registerHandler("__wkf_workflow_", handlers.flow);
  queue.registerHandler("__wkf_step_", handlers.step);
  return true;
}
