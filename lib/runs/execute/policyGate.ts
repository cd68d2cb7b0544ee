import type { Kysely } from "kysely";
import { formatUnits } from "viem";
import { describeAction } from "../../actions/registry.js";
import type { Action } from "../../actions/schemas.js";
import type { Spend } from "../../actions/types.js";
import type { ChainContext } from "../../chain/clients.js";
import { requireToken } from "../../chain/registry.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import { log } from "../../log.js";
import {
  type CommandLimits,
  chainPricer,
  evaluatePolicy,
  finishReservation,
  type GateActionReturnType,
  gateAction,
  hostOf,
  type KeyPolicyRow,
  type PolicyAction,
  type PolicyDecision,
  type PriceUsd,
  resolvePolicy,
  toResolvedPolicy,
} from "../../policy/index.js";
import type { RunOptions } from "../start/startRun.js";

/**
 * The policy engine (lib/policy) as the run executor sees it: a run's action in the policy's
 * terms, the command's own limits, the gate before money moves, and the window reservation's end.
 */

/** What the policy knows about an action: type, network, most it may spend, who gets paid. */
export function policyActionOf(
  action: Action,
  spend: Spend | undefined,
  network: PolicyAction["network"],
): PolicyAction {
  const fields = action as Record<string, unknown>;
  const counterparty: NonNullable<PolicyAction["counterparty"]> = {};
  if (typeof fields.to === "string") counterparty.address = fields.to;
  if (typeof fields.payTo === "string") counterparty.address = fields.payTo;
  if (typeof fields.serviceId === "string") counterparty.serviceId = fields.serviceId;
  // Not a URL: the action schema already refused it; nothing to match on.
  const host = typeof fields.url === "string" ? hostOf(fields.url) : undefined;
  if (host) counterparty.host = host;
  return {
    type: action.type,
    network,
    ...(spend ? { spend: { token: spend.token, amount: spend.amount } } : {}),
    ...(Object.keys(counterparty).length ? { counterparty } : {}),
    summary: describeAction(action),
  };
}

/** The command's own limits from the run's options, in the policy's decimal terms. */
export function commandLimitsOf(run: Run): CommandLimits | undefined {
  const options = (run.options as RunOptions | null) ?? {};
  const limits: CommandLimits = {};
  if (options.approvalThresholdUsd) limits.approvalThresholdUsd = options.approvalThresholdUsd;
  if (options.budget) {
    const { amount, token } = options.budget;
    const decimals =
      token === "USD" ? 6 : requireToken(getConfig().PAYGENT_NETWORK, token).decimals;
    limits.budget = { amount: formatUnits(BigInt(amount), decimals), token };
  }
  return Object.keys(limits).length ? limits : undefined;
}

/**
 * Evaluates an action without reserving anything (at plan time and for approval edits): deny by
 * default, every limit in every unit, the command's limits, approvals.
 */
export async function evaluateRunAction(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    action: Action;
    spend: Spend | undefined;
    chain: ChainContext;
    approvalsGranted?: number;
    /** The key's policy as read with the run (readRunToPlan); left out, it is read here. */
    keyPolicy?: KeyPolicyRow;
    /** The evaluation's pricer (one per plan or edit); left out, one of its own. */
    price?: PriceUsd;
  },
): Promise<PolicyDecision> {
  const { run, action, spend, chain } = parameters;
  const policy =
    parameters.keyPolicy !== undefined
      ? toResolvedPolicy(parameters.keyPolicy)
      : await resolvePolicy(db, { keyId: run.api_key_id });
  return await evaluatePolicy({
    policy,
    action: policyActionOf(action, spend, chain.network),
    price: parameters.price ?? chainPricer(chain, db),
    approvalsGranted: parameters.approvalsGranted,
    command: { limits: commandLimitsOf(run) },
    defaultExpirySeconds: getConfig().APPROVAL_TIMEOUT_SECONDS,
  });
}

/**
 * The gate right before an action moves money (gateAction): a freeze refuses; a policy refusal
 * names its rule; an allowed spend reserves every rolling window under `${runId}:${index}`
 * (idempotent, so a retried step reserves once).
 */
export async function gateRunAction(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    index: number;
    action: Action;
    spend: Spend | undefined;
    chain: ChainContext;
    approvalsGranted: number;
    /** Of those, the ones an `approvers: "assigned"` policy accepts. */
    assignedApprovalsGranted?: number;
    /** The step's pricer (the one its spend was valued with); left out, one of its own. */
    price?: PriceUsd;
  },
): Promise<GateActionReturnType> {
  const { run, index, action, spend, chain } = parameters;
  return await gateAction({
    db,
    price: parameters.price ?? chainPricer(chain, db),
    keyId: run.api_key_id,
    reservationId: `${run.id}:${index}`,
    runId: run.id,
    action: policyActionOf(action, spend, chain.network),
    approvalsGranted: parameters.approvalsGranted,
    assignedApprovalsGranted: parameters.assignedApprovalsGranted,
    command: commandLimitsOf(run),
    defaultExpirySeconds: getConfig().APPROVAL_TIMEOUT_SECONDS,
  });
}

/**
 * Settles (the money moved) or releases (it did not) the step's policy window reservation, like
 * its budget reservation; an unclear outcome calls neither. A step that reserved nothing is a no-op.
 */
export async function finishPolicySpend(
  db: Kysely<Database>,
  parameters: {
    runId: string;
    index: number;
    outcome: "settle" | "release";
    actualAmount?: bigint;
  },
): Promise<void> {
  try {
    await finishReservation({
      db,
      reservationId: `${parameters.runId}:${parameters.index}`,
      outcome: parameters.outcome,
      actualAmount: parameters.actualAmount,
    });
  } catch (error) {
    // A reservation already finished the other way (the reconciler got there first) is logged,
    // never a reason to fail an action whose money already moved or did not.
    log.warn("policy reservation not finished", {
      runId: parameters.runId,
      index: parameters.index,
      outcome: parameters.outcome,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
