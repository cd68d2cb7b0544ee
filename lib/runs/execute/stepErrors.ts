import { FatalError, RetryableError } from "workflow";
import { isRpcUnavailable } from "../../chain/isRpcUnavailable.js";
import { BaseError, errorKind, printableText } from "../../errors/index.js";
import { log } from "../../log.js";
import { failRun, type RunFailure } from "../runState.js";

/**
 * How a workflow step treats an error, by its kind (lib/errors):
 * - "retry": transient (RPC timeout or 5xx — also when viem raised it without a kind —, facilitator
 *   5xx, model outage or rate limit, nonce taken) → RetryableError with a growing retryAfter;
 *   reservations stay, the run stays running;
 * - "record": invalid, not_found, conflict, refused or fatal → the run's failure is recorded;
 * - "rethrow": an error without a kind (a bug, a driver error) is not proof that anything failed:
 *   the runtime's default retries apply, and finishEndedRuns records the run if they run out.
 */
export type StepErrorRoute = "retry" | "record" | "rethrow";

/** The route of an error thrown inside a step (see StepErrorRoute). */
export function routeStepError(error: unknown): StepErrorRoute {
  if ((error as { kind?: unknown } | null)?.kind === undefined) {
    // viem raises RPC timeouts, network failures and 5xx without a kind: they are transient too.
    return isRpcUnavailable(error) ? "retry" : "rethrow";
  }
  return errorKind(error) === "transient" ? "retry" : "record";
}

/** Backoff for transient errors: 1 s, 2 s, 4 s, … up to 30 s, by the step's attempt (1-based). */
export function retryDelayMs(attempt: number): number {
  return Math.min(2 ** Math.max(0, attempt - 1), 30) * 1000;
}

/** A client-safe one-line message of any error. */
export function messageOf(error: unknown): string {
  if (error instanceof BaseError) return printableText(error.shortMessage);
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage;
  if (typeof short === "string") return printableText(short);
  return printableText(error instanceof Error ? error.message : String(error));
}

/** The RetryableError a step throws for a transient error (its message says what failed). */
export function retryLater(error: unknown, attempt: number, what: string): RetryableError {
  const delay = retryDelayMs(attempt);
  log.warn("step will retry", { what, attempt, retryInMs: delay, error: messageOf(error) });
  return new RetryableError(`${what}: ${messageOf(error)}`, { retryAfter: delay });
}

/**
 * Records the run's failure, then ends the step with FatalError: no retry, and the workflow run
 * fails too, so the dashboard and `workflow inspect` say what the run row says.
 */
export async function failRunAndStop(
  db: Parameters<typeof failRun>[0],
  runId: string,
  failure: RunFailure,
): Promise<never> {
  await failRun(db, runId, failure);
  throw new FatalError(failure.message);
}

/** The hints a Paygent error carries (suggestions, what to do next). */
export function hintsOf(error: unknown): { hints?: string[] } {
  const hints = error instanceof BaseError ? error.metaMessages?.map(printableText) : undefined;
  return hints?.length ? { hints } : {};
}
