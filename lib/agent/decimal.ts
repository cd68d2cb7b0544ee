/**
 * Exact decimal ⇄ base-unit conversion with string math. Money never passes through a float:
 * "0.1" USDC is 100000 base units, not 0.1 * 1e6.
 */

import { BaseError, type ErrorKind } from "../errors/index.js";

const decimalPattern = /^(\d*)(?:\.(\d*))?$/;

/** Thrown by parseDecimal when the text is not a plain non-negative decimal or has too many digits. */
export class DecimalFormatError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "DecimalFormatError";
}

/** Converts a non-negative decimal string ("1,000.5", ".25") to base units for `decimals` places. */
export function parseDecimal(text: string, decimals: number): bigint {
  const cleaned = text.replaceAll(",", "").replaceAll("_", "").trim();
  const match = decimalPattern.exec(cleaned);
  if (!match || cleaned === "" || cleaned === ".") {
    throw new DecimalFormatError(`"${text}" is not a decimal number`);
  }
  const whole = match[1] ?? "";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) {
    throw new DecimalFormatError(
      `"${text}" has more than ${decimals} decimal place${decimals === 1 ? "" : "s"}`,
    );
  }
  return BigInt((whole || "0") + fraction.padEnd(decimals, "0"));
}

/** Formats base units as a decimal string without trailing zeros (100000n, 6 → "0.1"). */
export function formatDecimal(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? digits.slice(digits.length - decimals).replace(/0+$/, "") : "";
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Precision used when comparing US-dollar values (18 places is finer than any price feed). */
export const USD_DECIMALS = 18;

/** Parses a decimal USD string to fixed-point bigint; extra precision beyond 18 places is cut. */
export function parseUsd(text: string): bigint {
  const [whole = "0", fraction = ""] = text.trim().split(".");
  return parseDecimal(`${whole}.${fraction.slice(0, USD_DECIMALS)}`, USD_DECIMALS);
}

/** Formats a fixed-point USD bigint, keeping at most `places` decimals (rounded down). */
export function formatUsd(value: bigint, places = 6): string {
  const scale = 10n ** BigInt(USD_DECIMALS - places);
  return formatDecimal(value / scale, places);
}
