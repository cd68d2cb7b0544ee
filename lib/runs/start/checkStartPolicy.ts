import type { Kysely } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import { StaleKeyControlsError } from "../../auth/keyControlsCache.js";
import { getChainContext } from "../../chain/clients.js";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { FrozenError } from "../../freeze/index.js";
import {
  type CommandLimits,
  chainPricer,
  checkCommandLimits,
  type ResolvedPolicy,
  resolveKeyControls,
} from "../../policy/index.js";

/**
 * The limits a session opened for this key starts with when the caller names none. (The policy's
 * windows and per-action limits need no copy: the gate enforces them on every run of the key.)
 */
export interface SessionPolicyLimits {
  approvalThresholdUsd?: string;
}

/**
 * The checks before a command (or session) is accepted (issue 13): a frozen wallet or key → 423;
 * limits above the key's policy → 422 naming the rule (a command may lower its approval
 * threshold or budget, never raise them; a policy without a threshold is held to
 * DEFAULT_APPROVAL_THRESHOLD_USD, see checkCommandLimits). Every role is held alike, admin keys
 * too. Returns the limits a new session gets from the policy.
 */
export async function checkStartPolicy(
  db: Kysely<Database>,
  parameters: {
    principal: Principal;
    approvalThresholdUsd?: string;
    budget?: { amount: string; token: string };
    /** How a refusal names `budget`: the field sent (checkCommandLimits's budgetName). */
    budgetName?: string;
    /** How a refusal names `approvalThresholdUsd` (checkCommandLimits's thresholdName). */
    thresholdName?: string;
  },
): Promise<SessionPolicyLimits> {
  const keyId = parameters.principal.keyId === "auth-disabled" ? null : parameters.principal.keyId;
  // Freezes and policy in one read (a freeze, or a tightened policy, applies to the next request);
  // routes declared with keyControls read them with the key, in the statement that authenticated it.
  const { policy, freeze } =
    parameters.principal.controls ?? (await resolveKeyControls(db, { keyId }));
  try {
    if (freeze) throw new FrozenError(freeze.target, freeze.reason);
    await checkLimits(db, policy, parameters);
  } catch (error) {
    // A refusal decided on a cached read may no longer hold: endpoint() asks again on a fresh one.
    if (parameters.principal.controlsCached) {
      throw new StaleKeyControlsError("A refusal decided on a cached read of the key", {
        cause: error,
      });
    }
    throw error;
  }
  return sessionLimitsOf(policy);
}

/** A threshold or budget the command names must not exceed the policy's (422 naming the rule). */
async function checkLimits(
  db: Kysely<Database>,
  policy: ResolvedPolicy,
  parameters: {
    approvalThresholdUsd?: string;
    budget?: { amount: string; token: string };
    budgetName?: string;
    thresholdName?: string;
  },
): Promise<void> {
  const limits: CommandLimits = {};
  if (parameters.approvalThresholdUsd !== undefined)
    limits.approvalThresholdUsd = parameters.approvalThresholdUsd;
  if (parameters.budget)
    limits.budget = {
      amount: parameters.budget.amount,
      token: parameters.budget.token.toUpperCase(),
    };
  if (limits.approvalThresholdUsd !== undefined || limits.budget) {
    await checkCommandLimits({
      policy,
      limits,
      network: getConfig().PAYGENT_NETWORK,
      price: chainPricer(getChainContext(), db),
      budgetName: parameters.budgetName,
      thresholdName: parameters.thresholdName,
    });
  }
}

function sessionLimitsOf(policy: ResolvedPolicy): SessionPolicyLimits {
  const threshold = policy.document.approvalThresholdUsd;
  return threshold !== undefined ? { approvalThresholdUsd: threshold } : {};
}
