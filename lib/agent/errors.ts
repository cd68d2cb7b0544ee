import { ClientError } from "../errors/index.js";

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
export class CommandParseError extends ClientError {
  override name = "CommandParseError";
  readonly reason: CommandParseReason;
  readonly suggestions: string[];

  constructor(
    message: string,
    options: { reason: CommandParseReason; suggestions?: string[]; cause?: unknown },
  ) {
    super("unprocessable", message, {
      metaMessages: options.suggestions,
      cause: options.cause,
    });
    this.reason = options.reason;
    this.suggestions = options.suggestions ?? [];
  }
}

/** A command was understood but cannot be planned (budget, quote, unknown service, policy). */
export class PlanError extends ClientError {
  override name = "PlanError";

  constructor(message: string, options: { suggestions?: string[]; cause?: unknown } = {}) {
    super("unprocessable", message, { metaMessages: options.suggestions, cause: options.cause });
  }
}

/** The language model refused, produced nothing usable, or is not configured. */
export class ModelInterpretationError extends ClientError {
  override name = "ModelInterpretationError";
  readonly refused: boolean;
  /** Tokens the model spent before its answer was rejected (still recorded with the run). */
  usage?: { inputTokens: number; outputTokens: number };

  constructor(
    message: string,
    options: { refused?: boolean; cause?: unknown; details?: string } = {},
  ) {
    super("unprocessable", message, { cause: options.cause, details: options.details });
    this.refused = options.refused ?? false;
  }
}
