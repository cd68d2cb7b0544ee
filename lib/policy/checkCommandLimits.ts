import { parseDecimal } from "../agent/decimal.js";
import {
  formatAmount,
  limitOf,
  memoPrice,
  type PriceUsd,
  USD_MICRO_DECIMALS,
  type unitOf,
  valueIn,
} from "./amounts.js";
import { approvalThresholdCeiling } from "./approvalThresholdFor.js";
import { PolicyRuleError } from "./errors.js";
import type { ResolvedPolicy } from "./resolvePolicy.js";
import { type CommandLimits, USD } from "./schemas.js";
import { describeWindow, windowSpecs } from "./windows/windowSpecs.js";

export interface CheckCommandLimitsParameters {
  policy: ResolvedPolicy;
  /** What the command (or session) asks for: its approval threshold and budget. */
  limits: CommandLimits;
  network: Parameters<typeof unitOf>[0];
  price: PriceUsd;
  /**
   * How a refusal names the budget, after the field the caller sent: a session's budget and its
   * dailyLimit are checked the same way. Default "The command's budget".
   */
  budgetName?: string;
  /**
   * How a refusal names the approval threshold, after the field the caller sent. Default
   * "The command's approvalThreshold".
   */
  thresholdName?: string;
}

/**
 * A command may lower a limit, never raise it. Throws PolicyRuleError (422, naming the rule) when
 * the command's approval threshold is above its ceiling, or its budget is above any of the
 * policy's window amounts (compared in the window's unit; a budget that cannot be valued in it is
 * refused too). The threshold's ceiling is the policy's approvalThresholdUsd or, when the policy
 * sets none, DEFAULT_APPROVAL_THRESHOLD_USD: the planner holds above that default then, so an
 * unchecked threshold would lift the operator's holds. Returns the limits to apply; evaluatePolicy
 * enforces them.
 */
export async function checkCommandLimits(
  parameters: CheckCommandLimitsParameters,
): Promise<CommandLimits> {
  const { policy, limits, network } = parameters;
  const budgetName = parameters.budgetName ?? "The command's budget";
  const thresholdName = parameters.thresholdName ?? "The command's approvalThreshold";
  const document = policy.document;
  const price = memoPrice(parameters.price);
  const usd = { name: USD, decimals: USD_MICRO_DECIMALS };
  if (limits.approvalThresholdUsd !== undefined) {
    const fromPolicy = document.approvalThresholdUsd !== undefined;
    const asked = parseDecimal(limits.approvalThresholdUsd, USD_MICRO_DECIMALS);
    const ceiling = parseDecimal(approvalThresholdCeiling(document), USD_MICRO_DECIMALS);
    if (asked > ceiling) {
      const limit = fromPolicy
        ? `the policy's approvalThresholdUsd of ${formatAmount(usd, ceiling)}`
        : `the deployment's default approval threshold of ${formatAmount(usd, ceiling)} (the key's policy sets no approvalThresholdUsd)`;
      throw new PolicyRuleError(
        "approvalThresholdUsd",
        `${thresholdName} of ${formatAmount(usd, asked)} is above ${limit}; a command or session may lower it, never raise it`,
      );
    }
  }
  if (limits.budget) {
    const budget = limitOf(network, limits.budget, "command.budget");
    let budgetUsd: bigint | null = null;
    if (budget.unit.name === USD) budgetUsd = budget.amount;
    else budgetUsd = await price(budget.unit.name, budget.amount);
    for (const spec of windowSpecs(network, document)) {
      if (spec.limit === null) continue;
      const rule = `windows[${spec.index}]`;
      const value = await valueIn({
        unit: spec.unit,
        spend: { unit: budget.unit, amount: budget.amount },
        usdMicros: budgetUsd,
        price,
      });
      if (value === null) {
        throw new PolicyRuleError(
          rule,
          `${budgetName} of ${formatAmount(budget.unit, budget.amount)} cannot be valued in ${spec.unit.name}, the unit of the policy's ${rule}`,
        );
      }
      if (value > spec.limit) {
        throw new PolicyRuleError(
          rule,
          `${budgetName} of ${formatAmount(budget.unit, budget.amount)} is above the policy's window of ${describeWindow(spec, formatAmount)} (${rule}); a command or session may lower the policy's limits, never raise them`,
        );
      }
    }
  }
  return limits;
}
