import { BaseError, ClientError } from "../errors/index.js";

/** No service has the given id (answered with 404). */
export class ServiceNotFoundError extends ClientError {
  override name = "ServiceNotFoundError";
  constructor(id: string) {
    super("not_found", `Service ${id} not found`);
  }
}

/** A write would break a registry invariant (duplicate name, service still referenced). */
export class ServiceConflictError extends ClientError {
  override name = "ServiceConflictError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("conflict", message, options);
  }
}

/** Probing a service endpoint did not yield x402 payment requirements. */
export class PricingProbeError extends BaseError {
  override name = "PricingProbeError";
  readonly endpoint: string;
  readonly status: number | undefined;
  constructor(
    message: string,
    options: { endpoint: string; status?: number; cause?: unknown; details?: string },
  ) {
    super(message, {
      cause: options.cause,
      details: options.details,
      metaMessages: [`Endpoint: ${options.endpoint}`],
    });
    this.endpoint = options.endpoint;
    this.status = options.status;
  }
}
