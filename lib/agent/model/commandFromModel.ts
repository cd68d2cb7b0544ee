import { getActionModule } from "../../actions/registry.js";
import type { ModelStep } from "../../actions/schemas.js";
import { ModelInterpretationError } from "../errors.js";
import { toBaseUnits, toUsd } from "../grammar/readAmount.js";
import { type Budget, Command, type Intent } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import type { ModelCommand } from "./modelCommand.js";

function refuse(message: string, refused: boolean, details?: string): ModelInterpretationError {
  return new ModelInterpretationError(message, { refused, details });
}

/** One model step as an intent: the step's action module converts it (lib/actions/<type>/model.ts). */
function toIntent(step: ModelStep, tokens: TokenList): Intent {
  return getActionModule(step.kind).fromModel(step as never, tokens);
}

function toBudget(budget: ModelCommand["budget"], tokens: TokenList): Budget | undefined {
  if (!budget) return undefined;
  if (budget.usd) return { usd: toUsd(budget.usd) };
  if (budget.amount && budget.token) {
    const token = resolveToken(tokens, budget.token);
    return { amount: toBaseUnits(budget.amount, token), token: token.symbol };
  }
  if (budget.amount || budget.token) throw refuse("The model gave an incomplete budget", false);
  return undefined;
}

/** Converts and validates a model answer into the same Command the grammar produces. */
export function commandFromModel(output: ModelCommand, tokens: TokenList): Command {
  if (!output.supported) {
    throw refuse(
      output.reason
        ? `Not understood: ${output.reason}`
        : "The request is not something Paygent can do",
      true,
    );
  }
  if (output.steps.length === 0) throw refuse("The model returned no steps", false);
  const budget = toBudget(output.budget, tokens);
  const candidate = {
    steps: output.steps.map((step) => toIntent(step, tokens)),
    ...(budget ? { budget } : {}),
    // The planner checks a model's values against the command's text (flagModelReading).
    understoodBy: "model",
  };
  const parsed = Command.safeParse(candidate);
  if (!parsed.success) {
    throw refuse(
      "The model's answer is not a valid command",
      false,
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}
