import { microsToUsd, usdToMicros } from "../budget/units.js";

/** One cost, kept in its own unit; `usd` only when a price is known. */
export interface CostItem {
  kind: "x402" | "gas" | "model" | "swap";
  /** Token symbol for x402/gas/swap amounts; "tokens" for model usage. */
  unit: string;
  /** Base units (or token count for models), as an integer string. */
  amount: string;
  usd?: string;
  detail?: string;
}

/** A run's cost: every item, totals per unit (never summed across units), and a USD total of the priced items. */
export interface RunCost {
  items: CostItem[];
  totals: Record<string, string>;
  usd: string;
  /** True when some item had no USD price and is missing from `usd`. */
  usdIncomplete: boolean;
}

/** Sums cost items per unit; USD is summed exactly in micro-dollars. */
export function summarizeCost(items: CostItem[]): RunCost {
  const totals: Record<string, bigint> = {};
  let micros = 0n;
  let usdIncomplete = false;
  for (const item of items) {
    const key = item.kind === "model" ? "model_tokens" : item.unit;
    totals[key] = (totals[key] ?? 0n) + BigInt(item.amount);
    if (item.usd !== undefined) micros += usdToMicros(item.usd);
    else usdIncomplete = true;
  }
  return {
    items,
    totals: Object.fromEntries(
      Object.entries(totals).map(([unit, amount]) => [unit, amount.toString()]),
    ),
    usd: microsToUsd(micros),
    usdIncomplete,
  };
}
