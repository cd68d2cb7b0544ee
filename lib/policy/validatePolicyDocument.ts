import type { NetworkName } from "../config.js";
import { validate } from "../http/validate.js";
import { limitOf, unitOf } from "./amounts.js";
import { PolicyRuleError } from "./errors.js";
import { PolicyDocument } from "./schemas.js";

/**
 * Validates a policy document (400 naming the field) and checks what zod cannot: every token it
 * names exists on the network and every amount fits the token's decimals (422 naming the rule).
 */
export function validatePolicyDocument(network: NetworkName, input: unknown): PolicyDocument {
  const document = validate(PolicyDocument, input, "policy");
  if (document.maxPerAction) limitOf(network, document.maxPerAction, "maxPerAction");
  document.windows.forEach((window, index) => {
    if (window.amount !== undefined && window.token !== undefined)
      limitOf(network, { amount: window.amount, token: window.token }, `windows[${index}]`);
  });
  document.tokens?.forEach((token, index) => {
    if (token === "USD" || !unitOf(network, token))
      throw new PolicyRuleError(
        `tokens[${index}]`,
        `tokens[${index}]: ${token} is not a token on ${network}`,
      );
  });
  return document;
}
