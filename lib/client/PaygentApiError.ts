import { BaseError, type ErrorKind } from "../errors/base.js";

/** Kind of a failure, from the HTTP status Paygent answered. */
function kindOf(status: number): ErrorKind {
  if (status === 404) return "not_found";
  if (status === 409 || status === 410) return "conflict";
  if (status === 401 || status === 403 || status === 429) return "refused";
  if (status >= 500) return "transient";
  return "invalid";
}

/** Paygent answered an error: its status, code and client-safe message (and hints/issues). */
export class PaygentApiError extends BaseError {
  override name = "PaygentApiError";
  readonly status: number;
  readonly code: string;
  readonly issues: unknown;

  constructor(parameters: {
    status: number;
    code: string;
    message: string;
    hints?: string[] | undefined;
    issues?: unknown;
  }) {
    super(parameters.message, { kind: kindOf(parameters.status), metaMessages: parameters.hints });
    this.status = parameters.status;
    this.code = parameters.code;
    this.issues = parameters.issues;
  }
}
