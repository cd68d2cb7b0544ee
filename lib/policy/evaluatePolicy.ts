import {
  formatAmount,
  limitOf,
  memoPrice,
  type PriceUsd,
  type Unit,
  unitOf,
  valueIn,
} from "./amounts.js";
import { approvalRequirement, hasApprovalRules, policyApprovers } from "./approvalRequirement.js";
import { checkCounterparty } from "./checkCounterparty.js";
import type { ResolvedPolicy } from "./resolvePolicy.js";
import { type CommandLimits, USD } from "./schemas.js";
import type { PolicyAction, PolicyDecision, RefuseDecision } from "./types.js";
import { describeWindow, windowSpecs } from "./windows/windowSpecs.js";

/** Something the run already spent (or reserved) before this action, for the command budget. */
export interface SpentItem {
  token: string;
  amount: bigint;
  usdMicros: bigint | null;
}

export interface EvaluatePolicyParameters {
  policy: ResolvedPolicy;
  action: PolicyAction;
  /** USD valuation at this moment (chainPricer in production). */
  price: PriceUsd;
  /** Distinct approvals already granted for this exact action. */
  approvalsGranted?: number;
  /**
   * Of those, the ones cast by keys the policy's `approvers: "assigned"` accepts (admins, and
   * approvers assigned to the agent key): what a hold of such a policy counts. Left out, every
   * approval counts (an approval the policy held was only open to them anyway).
   */
  assignedApprovalsGranted?: number;
  /** The command's own limits (checked by checkCommandLimits) and the run's earlier spending. */
  command?: { limits?: CommandLimits; spent?: SpentItem[] };
  /** Approval expiry when the policy sets none (APPROVAL_TIMEOUT_SECONDS). */
  defaultExpirySeconds?: number;
}

/**
 * Decides one action under a policy: deny by default (only allowed actions, networks, tokens and
 * payees), then every limit in every unit (a USDC limit also bounds a CRO spend, through USD at
 * this moment's price; a spend that cannot be priced is refused), then approvals. Returns allow,
 * hold (N approvals, which rule) or refuse (which rule), with a message for people. Windows are
 * checked here for a single action's size; their running totals reserve atomically in gateAction.
 */
export async function evaluatePolicy(
  parameters: EvaluatePolicyParameters,
): Promise<PolicyDecision> {
  const { policy, action } = parameters;
  const document = policy.document;
  const network = action.network;
  const price = memoPrice(parameters.price);
  let usdMicros: bigint | null = null;
  const base = () => ({ policyId: policy.id, policyVersion: policy.version, usdMicros });
  const refuse = (rule: string, message: string): RefuseDecision => ({
    outcome: "refuse",
    rule,
    message: `refused: ${message}`,
    ...base(),
  });

  if (!document.allowedActions.includes(action.type)) {
    const allowed = document.allowedActions.join(", ") || "none";
    return refuse(
      "allowedActions",
      `${action.type} is not among the policy's allowed actions (${allowed})`,
    );
  }
  if (document.networks && !document.networks.includes(network))
    return refuse(
      "networks",
      `${network} is not among the policy's networks (${document.networks.join(", ")})`,
    );
  const payee = checkCounterparty(document, action);
  if (payee) return refuse(payee.rule, payee.message);
  if (!action.spend)
    return {
      outcome: "allow",
      rule: "allowedActions",
      message: `allowed: ${action.type} moves no money`,
      charges: {},
      ...base(),
    };

  const spendUnit = unitOf(network, action.spend.token);
  if (!spendUnit || spendUnit.name === USD)
    return refuse("tokens", `${action.spend.token} is not a token on ${network}`);
  if (document.tokens && !document.tokens.includes(spendUnit.name))
    return refuse(
      "tokens",
      `${spendUnit.name} is not among the policy's tokens (${document.tokens.join(", ")})`,
    );
  const amount = action.spend.amount;
  usdMicros = await price(spendUnit.name, amount);
  const usdUnit = unitOf(network, USD) as Unit;
  const spendText =
    usdMicros === null || spendUnit.stable
      ? formatAmount(spendUnit, amount)
      : `${formatAmount(spendUnit, amount)} (${formatAmount(usdUnit, usdMicros)})`;
  const inUnit = (unit: Unit) =>
    valueIn({ unit, spend: { unit: spendUnit, amount }, usdMicros, price });
  const unpriced = (rule: string, unit: Unit) =>
    refuse(
      "unpriced",
      `${spendText} cannot be valued in ${unit.name} (no price for ${spendUnit.name}), so ${rule} cannot be checked`,
    );

  if (document.maxPerAction) {
    const limit = limitOf(network, document.maxPerAction, "maxPerAction");
    const value = await inUnit(limit.unit);
    if (value === null) return unpriced("maxPerAction", limit.unit);
    if (value > limit.amount)
      return refuse(
        "maxPerAction",
        `${spendText} is above the policy's maxPerAction of ${formatAmount(limit.unit, limit.amount)}`,
      );
  }

  const charges: Record<string, bigint> = { [spendUnit.name]: amount };
  if (usdMicros !== null) charges[USD] = usdMicros;
  for (const spec of windowSpecs(network, document)) {
    if (spec.limit === null) continue;
    const charge = await inUnit(spec.unit);
    if (charge === null) return unpriced(`windows[${spec.index}]`, spec.unit);
    charges[spec.unit.name] = charge;
    if (charge > spec.limit)
      return refuse(
        `windows[${spec.index}]`,
        `${spendText} is above the policy's window of ${describeWindow(spec, formatAmount)}`,
      );
  }

  const limits = parameters.command?.limits;
  if (limits?.budget) {
    const budget = limitOf(network, limits.budget, "command.budget");
    let total = await inUnit(budget.unit);
    if (total === null) return unpriced("the command's budget", budget.unit);
    for (const item of parameters.command?.spent ?? []) {
      const itemUnit = unitOf(network, item.token);
      const value = itemUnit
        ? await valueIn({
            unit: budget.unit,
            spend: { unit: itemUnit, amount: item.amount },
            usdMicros: item.usdMicros,
            price,
          })
        : null;
      if (value === null) return unpriced("the command's budget", budget.unit);
      total += value;
    }
    if (total > budget.amount)
      return refuse(
        "command.budget",
        `${spendText} would bring this command to ${formatAmount(budget.unit, total)}, above its budget of ${formatAmount(budget.unit, budget.amount)}`,
      );
  }

  if (hasApprovalRules(document, limits)) {
    if (usdMicros === null) return unpriced("the approval threshold", usdUnit);
    const needed = approvalRequirement(document, usdMicros, limits);
    const approvers = policyApprovers(document);
    // An approval the planner asked for was open to any approver; the policy's hold is not.
    const granted =
      (approvers === "assigned" ? parameters.assignedApprovalsGranted : undefined) ??
      parameters.approvalsGranted ??
      0;
    if (needed && granted < needed.required) {
      const plural = needed.required === 1 ? "" : "s";
      const given = granted > 0 ? ` (${granted} given)` : "";
      return {
        outcome: "hold",
        rule: needed.rule,
        message: `held: ${spendText} is above ${needed.threshold}; needs ${needed.required} approval${plural}${given}`,
        requiredApprovals: needed.required,
        approvers,
        expiresInSeconds: document.approvalExpirySeconds ?? parameters.defaultExpirySeconds ?? null,
        charges,
        ...base(),
      };
    }
    if (needed)
      return {
        outcome: "allow",
        rule: needed.rule,
        message: `allowed: ${spendText} has ${granted} of ${needed.required} approvals`,
        charges,
        ...base(),
      };
  }
  const version = policy.version === null ? "" : ` v${policy.version}`;
  return {
    outcome: "allow",
    rule: "allowed",
    message: `allowed: ${spendText} is within ${policy.name}${version}`,
    charges,
    ...base(),
  };
}
