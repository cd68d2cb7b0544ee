import { BaseError, type ErrorKind } from "../errors/index.js";

/** Why a command could not be understood; lets callers decide whether a model may try instead. */
export type CommandParseReason =
  | "unrecognized"
  | "unsupported"
  | "incomplete"
  | "unknown_token"
  | "invalid_amount"
  | "invalid_recipient"
  | "memory";

/**
 * A command the grammar (or the model) could not turn into intents. The message says what is
 * wrong; `suggestions` (also the metaMessages) say what the user could write instead.
 */
export class CommandParseError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "CommandParseError";
  readonly reason: CommandParseReason;
  readonly suggestions: string[];

  constructor(
    message: string,
    options: { reason: CommandParseReason; suggestions?: string[]; cause?: unknown },
  ) {
    super(message, { metaMessages: options.suggestions, cause: options.cause });
    this.reason = options.reason;
    this.suggestions = options.suggestions ?? [];
  }
}

/**
 * A command was understood but cannot be planned (quote, unknown service, liquidity): invalid by
 * default; a budget or policy refusal passes `kind: "refused"`.
 */
export class PlanError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "PlanError";

  constructor(
    message: string,
    options: { suggestions?: string[]; cause?: unknown; kind?: ErrorKind } = {},
  ) {
    super(message, { metaMessages: options.suggestions, cause: options.cause, kind: options.kind });
  }
}

/**
 * The language model refused, produced nothing usable, or is not configured: invalid by default.
 * A provider outage or rate limit passes `kind: "transient"` so a workflow step retries it.
 */
export class ModelInterpretationError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "ModelInterpretationError";
  readonly refused: boolean;
  /** Tokens the model spent before its answer was rejected (still recorded with the run). */
  usage?: { inputTokens: number; outputTokens: number };

  constructor(
    message: string,
    options: { refused?: boolean; cause?: unknown; details?: string; kind?: ErrorKind } = {},
  ) {
    super(message, { cause: options.cause, details: options.details, kind: options.kind });
    this.refused = options.refused ?? false;
  }
}
