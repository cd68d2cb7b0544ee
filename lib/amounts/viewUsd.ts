import { formatDecimal, parseDecimal } from "../agent/decimal.js";
import { USD_MICRO_DECIMALS } from "../policy/amounts.js";

/**
 * A stored USD figure as the API shows USD elsewhere: a `numeric(30, 6)` column reads back as
 * "12.000000" or "1.500000", which a plan's `usdValue` writes "12" and "1.5".
 */
export function viewUsd(stored: string): string;
export function viewUsd(stored: string | null): string | null;
export function viewUsd(stored: string | null): string | null {
  return stored === null
    ? null
    : formatDecimal(parseDecimal(stored, USD_MICRO_DECIMALS), USD_MICRO_DECIMALS);
}
