import { ClientError, ServiceUnavailableError } from "../errors/index.js";
import { log } from "../log.js";
import { json } from "./respond.js";

/**
 * Turns any thrown value into a response. Client errors keep their message; everything else
 * becomes a generic 500 (or 503) whose details stay in the server log, never in the response.
 */
export function errorResponse(error: unknown, request?: Request): Response {
  if (error instanceof ClientError) {
    return json(
      {
        error: {
          code: error.code,
          message: error.shortMessage,
          ...(error.metaMessages?.length ? { hints: error.metaMessages } : {}),
          ...(error.issues ? { issues: error.issues } : {}),
        },
      },
      { status: error.status, headers: error.headers },
    );
  }
  if (error instanceof ServiceUnavailableError) {
    log.warn("service unavailable", {
      path: request ? new URL(request.url).pathname : undefined,
      error,
    });
    return json(
      { error: { code: "service_unavailable", message: error.shortMessage } },
      { status: 503, headers: { "retry-after": "5" } },
    );
  }
  log.error("unhandled error", {
    path: request ? new URL(request.url).pathname : undefined,
    error,
  });
  return json({ error: { code: "internal_error", message: "Internal error" } }, { status: 500 });
}
