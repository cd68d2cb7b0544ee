import type { Draft } from "../../actions/types.js";
import { parseUsd } from "../decimal.js";
import type { Budget, TokenAmount } from "../intent.js";
import type { PlannerContext } from "../planner.js";
import { valueUsd } from "./valueUsd.js";

/** Remaining room in each budget, for choosing a service that still fits. */
export type Room = Array<{ token?: string; amount?: bigint; usd?: bigint }>;

/** What is left of each budget after the drafts planned so far. */
export async function roomOf(
  ctx: PlannerContext,
  budgets: Budget[],
  drafts: Draft[],
): Promise<Room> {
  const room: Room = [];
  for (const budget of budgets) {
    if ("usd" in budget) {
      let spent = 0n;
      for (const draft of drafts)
        if (draft.spend)
          spent += (await valueUsd(ctx, draft.spend.token, draft.spend.amount)) ?? 0n;
      room.push({ usd: parseUsd(budget.usd) - spent });
    } else {
      const spent = drafts.reduce(
        (sum, d) => (d.spend?.token === budget.token ? sum + d.spend.amount : sum),
        0n,
      );
      room.push({ token: budget.token, amount: BigInt(budget.amount) - spent });
    }
  }
  return room;
}

/** True when a price fits every budget's remaining room (in the token, else in USD). */
export async function fits(ctx: PlannerContext, room: Room, price: TokenAmount): Promise<boolean> {
  for (const limit of room) {
    if (limit.token !== undefined && limit.amount !== undefined && limit.token === price.token) {
      if (BigInt(price.amount) > limit.amount) return false;
    } else {
      const usd = await valueUsd(ctx, price.token, BigInt(price.amount));
      const limitUsd =
        limit.usd ??
        (limit.token ? await valueUsd(ctx, limit.token, limit.amount ?? 0n, "limit") : undefined);
      if (usd === undefined || limitUsd === undefined || usd > limitUsd) return false;
    }
  }
  return true;
}
