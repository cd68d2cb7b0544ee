import { BaseError, type ErrorKind } from "../errors/index.js";

/** No service has the given id. */
export class ServiceNotFoundError extends BaseError {
  static override defaultKind: ErrorKind = "not_found";
  override name = "ServiceNotFoundError";
  constructor(id: string) {
    super(`Service ${id} not found`);
  }
}

/** A write would break a registry invariant (duplicate name, service still referenced). */
export class ServiceConflictError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "ServiceConflictError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/**
 * Probing a service endpoint did not yield x402 payment requirements: invalid (the answer is not
 * usable x402) unless the endpoint did not answer or failed upstream, which is transient.
 */
export class PricingProbeError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "PricingProbeError";
  readonly endpoint: string;
  readonly status: number | undefined;
  constructor(
    message: string,
    options: {
      endpoint: string;
      status?: number;
      cause?: unknown;
      details?: string;
      kind?: ErrorKind;
    },
  ) {
    super(message, {
      kind: options.kind,
      cause: options.cause,
      details: options.details,
      metaMessages: [`Endpoint: ${options.endpoint}`],
    });
    this.endpoint = options.endpoint;
    this.status = options.status;
  }
}

/** A curated list entry cannot be loaded as is (wrong network, malformed field). */
export class InvalidCuratedServiceError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "InvalidCuratedServiceError";
}

/** A service endpoint to be stored is not an absolute http(s) URL, so it has no endpointKey. */
export class InvalidServiceEndpointError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "InvalidServiceEndpointError";
}
