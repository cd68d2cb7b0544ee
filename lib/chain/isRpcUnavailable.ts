/** Network failures a later attempt may get past (codes and messages Node and undici use). */
const networkFailure =
  /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up|other side closed/i;

/**
 * JSON-RPC error codes that refuse the request rather than answer it: -32005 limit exceeded (the
 * rate limit public Cronos endpoints answer with HTTP 200), -32002 resource unavailable, and 429,
 * which some providers put in the JSON-RPC body instead of the HTTP status.
 */
const unavailableRpcCodes = new Set([-32005, -32002, 429]);

/**
 * True when an error, or one of its causes, says the RPC endpoint did not answer usefully: a
 * timeout, a network failure, a closed socket, HTTP 429 or 5xx, or a JSON-RPC rate limit. A retry
 * may succeed, so a workflow step treats it as transient. viem raises these without a Paygent kind.
 */
export function isRpcUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    const candidate = current as {
      name?: unknown;
      status?: unknown;
      message?: unknown;
      code?: unknown;
      cause?: unknown;
    };
    const name = candidate.name;
    if (name === "TimeoutError" || name === "SocketClosedError" || name === "WebSocketRequestError")
      return true;
    if (name === "HttpRequestError") {
      const status = typeof candidate.status === "number" ? candidate.status : undefined;
      if (status === undefined || status === 429 || status >= 500) return true;
    }
    if (typeof candidate.code === "string" && networkFailure.test(candidate.code)) return true;
    if (typeof candidate.code === "number" && unavailableRpcCodes.has(candidate.code)) return true;
    if (typeof candidate.message === "string" && networkFailure.test(candidate.message))
      return true;
    current = candidate.cause;
  }
  return false;
}
