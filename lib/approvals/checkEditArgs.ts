import { isDeepStrictEqual } from "node:util";
import { Action } from "../actions/schemas.js";
import { ClientError } from "../errors/index.js";
import { editableAmountFields } from "./resolveEditArgs.js";

/** The fields an action of this type has, `type` aside (the union's own shape, zod only). */
function fieldsOf(action: Action): string[] {
  const option = Action.options.find((candidate) => candidate.shape.type.value === action.type);
  return option ? Object.keys(option.shape).filter((field) => field !== "type") : [];
}

/**
 * Refuses (400) edit args that would not do what the approver asked: a `type` (an edit changes how
 * an action runs, never which action it is) or fields the held action does not have. The action
 * schema strips unknown keys, so without this `{"bogus": 1}` or a misspelt field would be an edit
 * that changes nothing and the held action would run in full.
 */
export function checkEditArgs(action: Action, args: Record<string, unknown>): void {
  if ("type" in args) {
    throw new ClientError(
      "validation_failed",
      `args.type: an edit cannot change the action's type (this one is a ${action.type}); reject it and send another command instead`,
    );
  }
  const fields = fieldsOf(action);
  const unknown = Object.keys(args).filter((field) => !fields.includes(field));
  if (unknown.length > 0) {
    throw new ClientError(
      "validation_failed",
      `args has ${unknown.length === 1 ? "a field" : "fields"} a ${action.type} action does not have: ${unknown.join(", ")} (its fields: ${fields.join(", ")})`,
      { issues: unknown.map((field) => ({ path: `args.${field}`, message: "unknown field" })) },
    );
  }
  // An approver changes how much, never who is paid or in what: a recipient, a URL or a token
  // rewritten by a vote would send the agent's money where no command asked.
  const amounts = Object.keys(editableAmountFields(action));
  const fixed = Object.keys(args).filter((field) => !amounts.includes(field));
  if (fixed.length > 0) {
    throw new ClientError(
      "validation_failed",
      `args.${fixed[0]}: an edit changes amounts only (${amounts.join(", ") || "this action has none"}); to pay someone else or in another token, reject it and send another command`,
      { issues: fixed.map((field) => ({ path: `args.${field}`, message: "not an amount" })) },
    );
  }
}

/**
 * Refuses (400) an edit whose named fields all keep the held action's values: it would be
 * recorded as `edited` while the original action went ahead unchanged. Compared after the
 * action schema, so `{"amount": "1", "token": "USDC"}` and the stored base units meet as equals.
 */
export function checkEditChanges(
  original: Action,
  edited: Action,
  args: Record<string, unknown>,
): void {
  const before = original as Record<string, unknown>;
  const after = edited as Record<string, unknown>;
  const named = Object.keys(args);
  if (named.some((field) => !isDeepStrictEqual(before[field], after[field]))) return;
  throw new ClientError(
    "validation_failed",
    `The edit changes nothing: ${named.join(", ")} ${named.length === 1 ? "is" : "are"} already the held action's; approve it as it is, or send a different value`,
  );
}
