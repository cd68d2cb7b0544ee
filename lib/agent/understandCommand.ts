import type { LanguageModel } from "ai";
import { CommandParseError } from "./errors.js";
import { parseCommand } from "./grammar/parseCommand.js";
import type { Command } from "./intent.js";
import type { SessionMemory } from "./memory.js";
import { interpretWithModel } from "./model/interpretWithModel.js";
import type { ModelUsage } from "./model/modelCommand.js";
import type { TokenList } from "./tokens.js";

/** Parameters of understandCommand. */
export interface UnderstandCommandParameters {
  text: string;
  tokens: TokenList;
  /** Fallback for phrasings the grammar does not know; omitted → grammar only. */
  model?: LanguageModel;
  memory?: SessionMemory;
  /** Registered service names, for the examples of a refusal. */
  services?: ReadonlyArray<string>;
  abortSignal?: AbortSignal;
}

/** A command plus where it came from and, for the model, what it cost. */
export interface UnderstoodCommand {
  command: Command;
  source: "grammar" | "model";
  usage?: ModelUsage;
}

/**
 * Grammar first (deterministic, free, resolves memory references); the model only when the
 * grammar did not recognise the phrasing at all. Errors about money the grammar did recognise
 * (unknown token, bad amount, missing recipient, no memory) are returned as they are: a model
 * would only guess there, and a rule bypass, misspelt or not, is refused before any model is
 * asked. The model's answer goes through the grammar's validators (lib/actions/<type>/model.ts)
 * and is marked understoodBy "model", so the planner checks its values against the text.
 */
export async function understandCommand(
  parameters: UnderstandCommandParameters,
): Promise<UnderstoodCommand> {
  const { text, tokens, model, memory, services, abortSignal } = parameters;
  try {
    return { command: parseCommand(text, { tokens, memory, services }), source: "grammar" };
  } catch (error) {
    if (!(error instanceof CommandParseError) || error.reason !== "unrecognized" || !model)
      throw error;
  }
  const { command, usage } = await interpretWithModel({ text, tokens, model, abortSignal });
  return { command, source: "model", usage };
}
