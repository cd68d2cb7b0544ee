import type { CommandParseError } from "../errors.js";
import type { Command, ParsedCommand, PendingIntent } from "../intent.js";
import { type ParseCommandOptions, parseIntents } from "./parseIntents.js";
import { refuse } from "./refuse.js";

export { MAX_COMMAND_LENGTH, type ParseCommandOptions } from "./parseIntents.js";

const pendingKinds: ReadonlySet<string> = new Set<PendingIntent["kind"]>([
  "transferAll",
  "swapAll",
  "bet",
  "sellShares",
  "redeem",
]);

function isPending(step: ParsedCommand["steps"][number]): step is PendingIntent {
  return pendingKinds.has(step.kind);
}

function notYet(step: PendingIntent): CommandParseError {
  if (step.kind === "transferAll" || step.kind === "swapAll") {
    const what =
      step.kind === "transferAll" ? `all your ${step.token}` : `all your ${step.tokenIn}`;
    return refuse(
      `Moving a whole balance (${what}) is understood but not available yet; give an exact amount`,
      {
        reason: "unsupported",
        suggestions: [
          step.kind === "transferAll"
            ? `e.g. "send 10 ${step.token} to ${step.to.address}"`
            : `e.g. "swap 10 ${step.tokenIn} for ${step.tokenOut}"`,
        ],
      },
    );
  }
  return refuse("Prediction markets are understood but not available yet", {
    reason: "unsupported",
  });
}

/**
 * The command as the planner takes it: parseIntents, with a clear "not available yet" refusal
 * (reason "unsupported", so no model is asked to guess instead) for intents the planner does not
 * plan yet. Phase 2 plans them and drops this check.
 */
export function parseCommand(text: string, options: ParseCommandOptions): Command {
  const parsed = parseIntents(text, options);
  const pending = parsed.steps.find(isPending);
  if (pending) throw notYet(pending);
  return parsed as Command;
}
