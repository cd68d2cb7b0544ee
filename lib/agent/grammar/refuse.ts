import { CommandParseError, type CommandParseReason } from "../errors.js";

/**
 * A CommandParseError without a stack trace. Refusing a command is an answer to its author, not
 * a fault in Paygent, so the stack says nothing; capturing it cost more than parsing the command.
 */
export function refuse(
  message: string,
  options: { reason: CommandParseReason; suggestions?: string[]; cause?: unknown },
): CommandParseError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CommandParseError(message, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
