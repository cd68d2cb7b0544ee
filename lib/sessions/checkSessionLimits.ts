import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { checkStartPolicy, type SessionPolicyLimits } from "../runs/start/checkStartPolicy.js";
import { canonicalLimit } from "../runs/start/planning.js";
import type { BaseUnitLimit } from "./createSession.js";

/**
 * A session's limits, as opened or changed, held to the key's policy: a session may lower them,
 * never raise them (422 naming the field sent and the rule); frozen → 423. Answers the limits a
 * session opened without a threshold takes from the policy.
 */
export async function checkSessionLimits(
  db: Kysely<Database>,
  parameters: {
    principal: Principal;
    approvalThresholdUsd?: string;
    budget?: BaseUnitLimit;
    dailyLimit?: BaseUnitLimit;
  },
): Promise<SessionPolicyLimits> {
  const { principal, budget, dailyLimit } = parameters;
  const fromPolicy = await checkStartPolicy(db, {
    principal,
    approvalThresholdUsd: parameters.approvalThresholdUsd,
    budget: budget && canonicalLimit(budget),
    budgetName: "The session's budget",
    thresholdName: "The session's approvalThreshold",
  });
  // The daily limit is held to the same windows.
  if (dailyLimit)
    await checkStartPolicy(db, {
      principal,
      budget: canonicalLimit(dailyLimit),
      budgetName: "The session's dailyLimit",
    });
  return fromPolicy;
}
