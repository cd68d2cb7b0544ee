import type { Kysely } from "kysely";
import type { ActionContext } from "../../actions/types.js";
import type { Plan } from "../../agent/plan.js";
import { getChainContext } from "../../chain/clients.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import {
  chainPricer,
  gateAction,
  type HoldDecision,
  type KeyPolicyRow,
} from "../../policy/index.js";
import { commandLimitsOf, evaluateRunAction, policyActionOf } from "./policyGate.js";
import { spendOf } from "./spend.js";

/** The quorum a policy hold asks for, kept on the planned action for requestApproval. */
export interface PlannedHold {
  requiredApprovals: number;
  approvers: HoldDecision["approvers"];
  expiresInSeconds: number | null;
  rule: string;
  message: string;
  policyId: string;
  policyVersion: number | null;
  usdMicros: string | null;
}

/** The plan with the policy's holds applied, or the refusal that ends the run. */
export type PolicyPlan = { plan: Plan; refusal?: undefined } | { refusal: string; step: number };

/**
 * Decides each planned action under the key's policy before anything runs (nothing is reserved
 * here; the action step's gate reserves): a refusal ends the run naming the rule; a hold makes the
 * action wait for the policy's quorum of approvers, its message becoming the approval's reason
 * ("held: 30 USDC is above the 10 USD threshold; needs 2 approvals"). Both are recorded as
 * decisions of the run, which the run view shows.
 */
export async function applyPolicyToPlan(
  db: Kysely<Database>,
  parameters: { run: Run; plan: Plan; keyPolicy: KeyPolicyRow },
): Promise<PolicyPlan> {
  const { run, plan, keyPolicy } = parameters;
  const context: ActionContext = { db, run, chain: getChainContext() };
  // One pricer for the whole plan: each token's pool price is read (and marked) once.
  const price = chainPricer(context.chain, db);
  const actions: Plan["actions"] = [];
  for (const planned of plan.actions) {
    const spend = await spendOf(context, planned.action, undefined, price);
    const evaluated = await evaluateRunAction(db, {
      run,
      action: planned.action,
      spend,
      chain: context.chain,
      keyPolicy,
      price,
    });
    if (evaluated.outcome === "allow") {
      actions.push(planned);
      continue;
    }
    // Refusals and holds go through gateAction: it records the decision and refuses at once a
    // hold that no window could ever admit (nothing is reserved for either).
    const decision = await gateAction({
      db,
      price,
      keyId: run.api_key_id,
      reservationId: `${run.id}:${planned.index}`,
      runId: run.id,
      action: policyActionOf(planned.action, spend, context.chain.network),
      command: commandLimitsOf(run),
      defaultExpirySeconds: getConfig().APPROVAL_TIMEOUT_SECONDS,
    });
    if (decision.outcome === "refuse")
      return { refusal: `${decision.message} (rule ${decision.rule})`, step: planned.index };
    if (decision.outcome === "allow") {
      actions.push(planned);
      continue;
    }
    const hold: PlannedHold = {
      requiredApprovals: decision.requiredApprovals,
      approvers: decision.approvers,
      expiresInSeconds: decision.expiresInSeconds,
      rule: decision.rule,
      message: decision.message,
      policyId: decision.policyId,
      policyVersion: decision.policyVersion,
      usdMicros: decision.usdMicros === null ? null : decision.usdMicros.toString(),
    };
    // A step the planner flagged from a model's reading keeps saying so: the approver must see
    // that the command did not say it, not only the policy's rule.
    const modelReason =
      plan.understoodBy === "model" && planned.requiresApproval && planned.reason
        ? `; ${planned.reason}`
        : "";
    actions.push({
      ...planned,
      requiresApproval: true,
      reason: `${decision.message}${modelReason}`,
      hold,
    });
  }
  return { plan: { ...plan, actions } };
}
