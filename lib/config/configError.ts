import { BaseError, type BaseErrorOptions } from "../errors/index.js";

/** One environment variable the configuration refuses, and why (never its value). */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown when an environment variable is malformed; names every offending variable. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
  /** The offending variables, one entry per problem. */
  readonly issues: ConfigIssue[];

  constructor(shortMessage: string, options: BaseErrorOptions & { issues?: ConfigIssue[] } = {}) {
    super(shortMessage, options);
    this.issues = options.issues ?? [];
  }
}
