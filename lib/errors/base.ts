/** Options shared by every Paygent error. */
export interface BaseErrorOptions {
  cause?: unknown;
  details?: string;
  /** Extra lines that help a reader act on the error (suggestions, hints). */
  metaMessages?: string[];
}

/**
 * Root of every error Paygent throws on purpose. `shortMessage` is safe to show to a client;
 * `details` and `cause` stay on the server.
 */
export class BaseError extends Error {
  override name = "PaygentError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    const message = [shortMessage, ...(options.metaMessages ?? [])].join("\n");
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages;
  }

  /** Walks the cause chain and returns the first error that matches `predicate` (or the last). */
  walk(predicate?: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current instanceof Error) {
      if (predicate?.(current)) return current;
      if (current.cause === undefined) return predicate ? undefined : current;
      current = current.cause;
    }
    return predicate ? undefined : current;
  }
}

/** Codes that map a failure onto an HTTP status (see lib/http/errors.ts). */
export type ClientErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unprocessable";

const statusByCode: Record<ClientErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
};

/** A failure caused by the client's request; answered with a 4xx and a message the client can act on. */
export class ClientError extends BaseError {
  override name = "ClientError";
  readonly code: ClientErrorCode;
  readonly status: number;
  readonly issues: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: ClientErrorCode,
    message: string,
    options: BaseErrorOptions & { issues?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options);
    this.code = code;
    this.status = statusByCode[code];
    this.issues = options.issues;
    this.headers = options.headers ?? {};
  }
}

/** A required backing service (database, cache, chain) is unavailable. Answered with 503. */
export class ServiceUnavailableError extends BaseError {
  override name = "ServiceUnavailableError";
}

/** Name-based check that survives serialization across workflow step boundaries. */
export function isErrorNamed(error: unknown, name: string): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}
