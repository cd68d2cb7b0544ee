import { viewAmount } from "../amounts/viewAmount.js";
import type { DailyAllowance } from "./getDailyAllowance.js";

/** A daily allowance (base units) with each figure formatted for a person ("0.1 USDC"). */
export function formatAllowance(daily: DailyAllowance) {
  const formatted = (amount: string) => viewAmount(amount, daily.token).formatted;
  return {
    ...daily,
    formatted: {
      limit: formatted(daily.limit),
      spent: formatted(daily.spent),
      reserved: formatted(daily.reserved),
      remaining: formatted(daily.remaining),
    },
  };
}
