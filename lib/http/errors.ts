import { BaseError, ClientError, type ErrorKind } from "../errors/index.js";
import { log } from "../log.js";
import { publicFailure } from "./publicFailure.js";
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

/** The status and code for any thrown value (see answerByKind and answerByErrorName). */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ClientError) return { status: error.status, code: error.code };
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && Object.hasOwn(answerByErrorName, name))
    return answerByErrorName[name]!;
  return answerByKind[publicFailure(error).kind];
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
  const { message, source } = publicFailure(error);
  if (source === "internal") {
    log.error("unhandled error", { path, error });
    return json({ error: { code, message } }, { status });
  }
  if (source === "unavailable") {
    log.warn("service unavailable", { path, error });
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
        message,
        ...(hints?.length ? { hints } : {}),
        ...(issues ? { issues } : {}),
      },
    },
    { status, headers: error instanceof ClientError ? error.headers : undefined },
  );
}
