import type { Command } from "../intent.js";
import { type ParseCommandOptions, parseIntents } from "./parseIntents.js";

export { MAX_COMMAND_LENGTH, type ParseCommandOptions } from "./parseIntents.js";

/**
 * The command as the planner takes it. Every intent the grammar understands now has an action
 * (the prediction-market ones since issue 19's phase 2), so this is parseIntents itself; a
 * "not available yet" refusal for an understood-but-unplanned form would go here.
 */
export function parseCommand(text: string, options: ParseCommandOptions): Command {
  return parseIntents(text, options);
}
