/**
 * API requests first, background work after (issue 17). On a host that serves the API and runs the
 * workflow steps in one process (the local host), a burst of runs fills the event loop with step
 * work, and every new POST waits behind it: accept latency grew with the work already accepted.
 * Background work (a queued flow or step delivery, the outbox's start()) therefore waits while the
 * API's writes (a command accepted, an approval decided) are being handled, and those are answered
 * first. Reads and polls do not count: they would hold back the very runs they are waiting for.
 *
 * Bounded both ways, so neither side can starve the other:
 * - a request counts for at most `requestHoldMs` (long polls and event streams stop counting);
 * - background work waits at most `maxWaitMs`, then runs even if requests keep arriving.
 *
 * The same order holds in the database: a statement issued while answering such a request
 * (answeringRequest()) goes before queued background statements, in the PGlite worker and in the
 * Postgres pool (lib/db). Without it an accept's statements waited behind those of the steps of
 * runs accepted a moment earlier: each waited 20–40 ms under a burst of 50, for ~1 ms of work.
 *
 * On Vercel every invocation is its own process and nothing registers requests: afterRequests()
 * resolves at once. DEV_REQUESTS_FIRST=false switches it off: requests are not counted, and
 * background work never waits.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { getConfig } from "../config.js";

/** How long one request can hold background work back. */
const requestHoldMs = 250;
/** How long background work waits at most. */
const maxWaitMs = 100;

let inFlight = 0;
let waiters: (() => void)[] = [];

/** The hold of the request whose handler is running (async context), while it counts. */
const requestScope = new AsyncLocalStorage<{ holding: boolean }>();

/**
 * Answers an API write first: holds background work while `answer` runs (see holdForRequest), and
 * marks the statements it issues as answering a request (answeringRequest()).
 */
export async function answerFirst<T>(answer: () => Promise<T>): Promise<T> {
  if (!getConfig().DEV_REQUESTS_FIRST) return answer();
  const scope = { holding: true };
  const release = holdForRequest(() => {
    // Work the handler leaves behind (the outbox's start()) runs in this async context too; it
    // is background work once the request stops counting.
    scope.holding = false;
  });
  try {
    return await requestScope.run(scope, answer);
  } finally {
    release();
  }
}

/** Whether the caller runs in the handler of an API write that still counts (answerFirst). */
export function answeringRequest(): boolean {
  return requestScope.getStore()?.holding === true;
}

/**
 * Marks an API request as being handled; call the returned function once its response is ready
 * (it may be called more than once). After `requestHoldMs` the request stops counting by itself.
 */
export function holdForRequest(onRelease?: () => void): () => void {
  if (!getConfig().DEV_REQUESTS_FIRST) return () => {};
  inFlight++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    onRelease?.();
    inFlight--;
    if (inFlight === 0) wakeAll();
  };
  const timer = setTimeout(release, requestHoldMs);
  timer.unref();
  return release;
}

/** Resolves when no API request is being handled, or after `maxWaitMs` at the latest. */
export function afterRequests(): Promise<void> {
  if (inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters = waiters.filter((waiter) => waiter !== wake);
      resolve();
    }, maxWaitMs);
    timer.unref();
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    waiters.push(wake);
  });
}

/** API requests being handled now (tests). */
export function requestsInFlight(): number {
  return inFlight;
}

function wakeAll(): void {
  const woken = waiters;
  waiters = [];
  for (const wake of woken) wake();
}
