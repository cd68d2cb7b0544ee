import type { Draft } from "../../actions/types.js";
import { formatUsd, parseUsd } from "../decimal.js";
import { PlanError } from "../errors.js";
import type { Budget } from "../intent.js";
import type { PlannerContext } from "../planner.js";
import { show } from "./tokens.js";
import { valueUsd } from "./valueUsd.js";

function describeBudget(ctx: PlannerContext, budget: Budget): string {
  return "usd" in budget ? `$${budget.usd}` : show(ctx, budget.amount, budget.token);
}

/**
 * Refuses a plan whose spends exceed a budget (in the budget's token when every spend is in it,
 * else in USD) before anything runs; returns the explanation line on success.
 */
export async function checkBudget(
  ctx: PlannerContext,
  budget: Budget,
  drafts: Draft[],
): Promise<string> {
  const spends = drafts.filter((d) => d.spend).map((d) => d.spend!);
  if ("amount" in budget && spends.every((s) => s.token === budget.token)) {
    const total = spends.reduce((sum, s) => sum + s.amount, 0n);
    if (total > BigInt(budget.amount)) {
      throw new PlanError(
        `The plan spends ${show(ctx, total, budget.token)}, more than the budget of ${describeBudget(ctx, budget)}`,
        { suggestions: ["Lower the amounts or raise the budget"], kind: "refused" },
      );
    }
    return `Spends ${show(ctx, total, budget.token)} of the ${describeBudget(ctx, budget)} budget.`;
  }
  const limit =
    "usd" in budget
      ? parseUsd(budget.usd)
      : await valueUsd(ctx, budget.token, BigInt(budget.amount), "limit");
  if (limit === undefined)
    throw new PlanError(
      `No USD price for ${"token" in budget ? budget.token : ""} to check the budget`,
    );
  let total = 0n;
  for (const spend of spends) {
    const usd = await valueUsd(ctx, spend.token, spend.amount);
    if (usd === undefined) {
      throw new PlanError(
        `No USD price for ${spend.token}, so the plan cannot be checked against the budget`,
      );
    }
    total += usd;
  }
  if (total > limit) {
    throw new PlanError(
      `The plan spends about $${formatUsd(total, 2)}, more than the budget of ${describeBudget(ctx, budget)}`,
      { suggestions: ["Lower the amounts or raise the budget"], kind: "refused" },
    );
  }
  return `Spends about $${formatUsd(total, 2)} of the ${describeBudget(ctx, budget)} budget.`;
}
