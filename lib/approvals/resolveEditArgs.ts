import type { Action } from "../actions/schemas.js";
import { resolveAmount } from "../amounts/resolveAmount.js";
import { amountInput } from "../amounts/schemas.js";
import { ClientError } from "../errors/index.js";

/** The amount fields an edit may change, each with the token it is counted in. */
export function editableAmountFields(action: Action): Record<string, string> {
  switch (action.type) {
    case "transfer":
      return { amount: action.token };
    case "swap":
      return { amountIn: action.tokenIn, minAmountOut: action.tokenOut };
    case "pay":
      return { maxAmount: action.token };
    case "bet":
      return { amount: action.token };
    default:
      return {};
  }
}

/**
 * An edit's args in the request form → the action's base units. Amount fields take the one amount
 * convention, `{"maxAmount": {"amount": "0.9", "token": "USDC"}}`, in the field's own token (an
 * edit changes how much, never what); a bare string there (the old base-unit form) is a 400 that
 * shows the new form. Other fields pass through to the action schema's own checks.
 */
export function resolveEditArgs(
  action: Action,
  args: Record<string, unknown>,
): Record<string, unknown> {
  const fields = editableAmountFields(action);
  const resolved: Record<string, unknown> = { ...args };
  for (const [field, token] of Object.entries(fields)) {
    if (!(field in args)) continue;
    const parsed = amountInput.safeParse(args[field]);
    if (!parsed.success) {
      throw new ClientError(
        "validation_failed",
        `args.${field} is an amount: {"amount": "<decimal>", "token": "${token}"} in whole tokens, e.g. {"${field}": {"amount": "0.5", "token": "${token}"}}; base units are not accepted`,
        {
          issues: parsed.error.issues.map((issue) => ({
            path: ["args", field, ...issue.path].join("."),
            message: issue.message,
          })),
        },
      );
    }
    const amount = resolveAmount(parsed.data, { field: `args.${field}` });
    if (amount.token.toUpperCase() !== token.toUpperCase()) {
      throw new ClientError(
        "validation_failed",
        `args.${field} is counted in ${token}; an edit changes the amount, not the token (got ${amount.token})`,
      );
    }
    resolved[field] = amount.baseUnits.toString();
  }
  return resolved;
}
