import { isRpcUnavailable } from "../chain/isRpcUnavailable.js";
import { BaseError, ClientError, type ErrorKind, errorKind } from "../errors/index.js";
import { log } from "../log.js";
import { json } from "./respond.js";

/** How an error is answered over HTTP: the status and the stable `error.code` clients switch on. */
export interface ErrorAnswer {
  status: number;
  code: string;
}

/**
 * The one kind → HTTP table. Domain errors carry only a kind; this decides their status.
 * (ClientError is the HTTP layer's own error — auth, body parsing, 413/415, 429, 400 validation —
 * and keeps the status it was thrown with.)
 */
export const answerByKind: Record<ErrorKind, ErrorAnswer> = {
  invalid: { status: 422, code: "unprocessable" },
  not_found: { status: 404, code: "not_found" },
  conflict: { status: 409, code: "conflict" },
  refused: { status: 422, code: "unprocessable" },
  transient: { status: 503, code: "service_unavailable" },
  fatal: { status: 500, code: "internal_error" },
};

/**
 * The narrow exceptions, by error name (names survive serialization), where the API contract pins
 * another answer than the error's kind would give. Keep this list short; every entry says why.
 */
export const answerByErrorName: Record<string, ErrorAnswer> = {
  // Paid/subscription routes promise 403 "forbidden" when access is refused, not 422.
  SubscriptionInactiveError: { status: 403, code: "forbidden" },
  // A quote's provider gave no usable price: the caller's request was fine, the upstream was not.
  QuoteFailedError: { status: 502, code: "quote_failed" },
};

/** Seconds a client should wait before retrying a transient failure (Retry-After). */
export const transientRetryAfterSeconds = 5;

/**
 * What a client is told when the RPC (or another upstream) did not answer. viem's own message
 * names the RPC URL, which may carry a provider's API key, so it stays in the server log.
 */
const upstreamUnavailableMessage =
  "An upstream service (such as the chain RPC) did not answer; retry later";

/**
 * True for an error without a Paygent kind that isRpcUnavailable recognises: viem raises RPC
 * timeouts, network failures and 5xx without one, and a retry may succeed (as in workflow steps,
 * lib/runs/execute/stepErrors.ts), so it is a 503, not a 500.
 */
function isUpstreamUnavailable(error: unknown): boolean {
  return (error as { kind?: unknown } | null)?.kind === undefined && isRpcUnavailable(error);
}

/** The kind an error is answered as: its own, or transient for an unanswered RPC. */
function answeredKind(error: unknown): ErrorKind {
  return isUpstreamUnavailable(error) ? "transient" : errorKind(error);
}

/** The status and code for any thrown value (see answerByKind and answerByErrorName). */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ClientError) return { status: error.status, code: error.code };
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && Object.hasOwn(answerByErrorName, name))
    return answerByErrorName[name]!;
  return answerByKind[answeredKind(error)];
}

/**
 * Turns any thrown value into a response, by kind. 4xx answers carry the error's short message,
 * hints and issues; a transient failure (an unanswered RPC too) is a 503 with Retry-After;
 * anything else fatal (or not ours) is a generic 500 whose details stay in the server log, never
 * in the response.
 */
export function errorResponse(error: unknown, request?: Request): Response {
  const path = request ? new URL(request.url).pathname : undefined;
  const { status, code } = errorAnswer(error);
  const kind = answeredKind(error);
  if (kind === "fatal" && !(error instanceof ClientError)) {
    log.error("unhandled error", { path, error });
    return json({ error: { code, message: "Internal error" } }, { status });
  }
  const shortMessage =
    error instanceof BaseError ? error.shortMessage : String((error as Error).message ?? error);
  if (kind === "transient" && !(error instanceof ClientError)) {
    log.warn("service unavailable", { path, error });
    const message = isUpstreamUnavailable(error) ? upstreamUnavailableMessage : shortMessage;
    return json(
      { error: { code, message } },
      { status, headers: { "retry-after": String(transientRetryAfterSeconds) } },
    );
  }
  const hints = error instanceof BaseError ? error.metaMessages : undefined;
  const issues = error instanceof ClientError ? error.issues : undefined;
  return json(
    {
      error: {
        code,
        message: shortMessage,
        ...(hints?.length ? { hints } : {}),
        ...(issues ? { issues } : {}),
      },
    },
    { status, headers: error instanceof ClientError ? error.headers : undefined },
  );
}
