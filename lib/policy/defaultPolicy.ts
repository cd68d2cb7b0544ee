import { type Config, ConfigError, getConfig } from "../config.js";
import { BaseError } from "../errors/index.js";
import type { PolicyDocument } from "./schemas.js";
import { validatePolicyDocument } from "./validatePolicyDocument.js";

/** Id recorded on decisions made under the operator default policy. */
export const DEFAULT_POLICY_ID = "default";

/**
 * The built-in default when PAYGENT_DEFAULT_POLICY is unset: the allowlist, threshold and expiry
 * the operator already configures, plus spend limits, because a key without a policy must never be
 * unlimited by accident: at most 100 USD per action and 1000 USD per rolling day.
 */
export function builtInDefaultPolicy(config: Config): unknown {
  return {
    allowedActions: config.AGENT_ALLOWED_ACTIONS,
    maxPerAction: { amount: "100", token: "USD" },
    windows: [{ period: "day", amount: "1000", token: "USD" }],
    approvalThresholdUsd: config.DEFAULT_APPROVAL_THRESHOLD_USD,
    approvals: { required: 1, approvers: "any" },
    approvalExpirySeconds: config.APPROVAL_TIMEOUT_SECONDS,
  };
}

let cached: { source: string; document: PolicyDocument } | undefined;

/**
 * The operator default policy for keys without one: PAYGENT_DEFAULT_POLICY (a JSON document), or
 * the built-in default. A malformed document throws ConfigError naming the variable; call this at
 * start-up so a bad value stops the host rather than the first command.
 */
export function getDefaultPolicy(): PolicyDocument {
  const config = getConfig();
  // Everything the document depends on, so a changed environment (tests, dev host) re-reads it.
  const source = JSON.stringify([
    config.PAYGENT_DEFAULT_POLICY,
    config.PAYGENT_NETWORK,
    config.AGENT_ALLOWED_ACTIONS,
    config.DEFAULT_APPROVAL_THRESHOLD_USD,
    config.APPROVAL_TIMEOUT_SECONDS,
  ]);
  if (cached?.source === source) return cached.document;
  let document: PolicyDocument;
  try {
    const input =
      config.PAYGENT_DEFAULT_POLICY === undefined
        ? builtInDefaultPolicy(config)
        : JSON.parse(config.PAYGENT_DEFAULT_POLICY);
    document = validatePolicyDocument(config.PAYGENT_NETWORK, input);
  } catch (error) {
    const lines =
      error instanceof BaseError ? [error.shortMessage, ...(error.metaMessages ?? [])] : [];
    throw new ConfigError("Invalid configuration", {
      metaMessages: [
        `${config.PAYGENT_DEFAULT_POLICY === undefined ? "built-in default policy" : "PAYGENT_DEFAULT_POLICY"}: ${lines.join("; ") || "not a valid policy document"}`,
      ],
      cause: error,
    });
  }
  cached = { source, document };
  return document;
}
