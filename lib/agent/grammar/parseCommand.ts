import type { CommandParseError } from "../errors.js";
import type { Command, ParsedCommand, PendingIntent } from "../intent.js";
import { type ParseCommandOptions, parseIntents } from "./parseIntents.js";
import { refuse } from "./refuse.js";

export { MAX_COMMAND_LENGTH, type ParseCommandOptions } from "./parseIntents.js";

const pendingKinds: ReadonlySet<string> = new Set<PendingIntent["kind"]>([
  "bet",
  "sellShares",
  "redeem",
]);

function isPending(step: ParsedCommand["steps"][number]): step is PendingIntent {
  return pendingKinds.has(step.kind);
}

function notYet(_step: PendingIntent): CommandParseError {
  return refuse("Prediction markets are understood but not available yet", {
    reason: "unsupported",
  });
}

/**
 * The command as the planner takes it: parseIntents, with a clear "not available yet" refusal
 * (reason "unsupported", so no model is asked to guess instead) for intents the planner does not
 * plan yet (the prediction-market ones, until their actions exist).
 */
export function parseCommand(text: string, options: ParseCommandOptions): Command {
  const parsed = parseIntents(text, options);
  const pending = parsed.steps.find(isPending);
  if (pending) throw notYet(pending);
  return parsed as Command;
}
