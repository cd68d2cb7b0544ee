/**
 * What kind of failure an error is. The kind alone decides the HTTP status (lib/http) and, inside a
 * workflow step, whether to retry (transient) or record the run's failure (everything else).
 * - invalid: the input cannot work as given (400/422);
 * - not_found: a named thing does not exist (404);
 * - conflict: the thing exists but is in the wrong state (409);
 * - refused: policy, budget or a person said no (403/422);
 * - transient: a dependency failed in a way a retry may fix (503; RetryableError in steps);
 * - fatal: a permanent failure no retry fixes (500 unless the error says otherwise).
 */
export type ErrorKind = "invalid" | "not_found" | "conflict" | "refused" | "transient" | "fatal";

/** Options shared by every Paygent error. */
export interface BaseErrorOptions {
  /** Overrides the class's default kind. */
  kind?: ErrorKind;
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
  /** The kind of every instance of this class unless the constructor's options say otherwise. */
  static defaultKind: ErrorKind = "fatal";
  override name = "PaygentError";
  /** See ErrorKind; subclasses set their default by overriding `defaultKind`. */
  readonly kind: ErrorKind;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    const message = [shortMessage, ...(options.metaMessages ?? [])].join("\n");
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind ?? (new.target as typeof BaseError).defaultKind;
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
  | "unprocessable"
  /** The wallet or the key is frozen by an admin (issue 13): 423 Locked. */
  | "frozen"
  /** An Idempotency-Key reused with a different request (issue 20): 422. */
  | "idempotency_conflict"
  /** The first request under an Idempotency-Key is still in flight (issue 20): 409 + Retry-After. */
  | "idempotency_in_flight";

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
  frozen: 423,
  rate_limited: 429,
  idempotency_conflict: 422,
  idempotency_in_flight: 409,
};

const kindByCode: Record<ClientErrorCode, ErrorKind> = {
  bad_request: "invalid",
  validation_failed: "invalid",
  unauthorized: "refused",
  forbidden: "refused",
  not_found: "not_found",
  method_not_allowed: "invalid",
  conflict: "conflict",
  gone: "conflict",
  payload_too_large: "invalid",
  unsupported_media_type: "invalid",
  unprocessable: "invalid",
  frozen: "refused",
  rate_limited: "refused",
  idempotency_conflict: "invalid",
  idempotency_in_flight: "conflict",
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
    super(message, { ...options, kind: options.kind ?? kindByCode[code] });
    this.code = code;
    this.status = statusByCode[code];
    this.issues = options.issues;
    this.headers = options.headers ?? {};
  }
}

/** A required backing service (database, cache, chain) is unavailable. Answered with 503. */
export class ServiceUnavailableError extends BaseError {
  static override defaultKind: ErrorKind = "transient";
  override name = "ServiceUnavailableError";
}

/** Name-based check that survives serialization across workflow step boundaries. */
export function isErrorNamed(error: unknown, name: string): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}

/**
 * The kind of any thrown value. Paygent errors carry theirs (also after serialization, as a plain
 * `kind` property); anything else is fatal, since nothing says a retry would help.
 */
export function errorKind(error: unknown): ErrorKind {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return kind === "invalid" ||
    kind === "not_found" ||
    kind === "conflict" ||
    kind === "refused" ||
    kind === "transient" ||
    kind === "fatal"
    ? kind
    : "fatal";
}
