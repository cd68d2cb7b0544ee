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

/** More digits than any amount a wallet can hold or a 256-bit token amount can carry. */
const maxAmountDigits = 60;
const plainPattern = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const groupedPattern = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** Digits between separators that mean different things to different writers (1,5 · 1'000 · 1 000). */
const separatedDigits = /^\d[\d.,_'\s\u00a0\u202f]*\d$/;

/**
 * Why `text` is not an amount Paygent accepts, or undefined when it is one. Accepted: plain
 * decimals ("1000.5", ".25") and commas between groups of three digits ("1,000", "1,000.50").
 * Everything else is refused, never reinterpreted: a sign, an exponent, other digits than 0-9,
 * and any other separator ("1,5", "1.000,50", "1_000", "1'000") because its meaning depends on
 * who wrote it.
 */
export function amountTextProblem(text: string): string | undefined {
  if (plainPattern.test(text) || groupedPattern.test(text)) {
    // Amounts are stored as numeric(78, 0) base units: 60 digits with up to 18 decimals fit.
    const digits = text.replace(/\D/g, "").length;
    if (digits > maxAmountDigits)
      return `"${text.slice(0, 24)}…" has ${digits} digits; amounts have at most ${maxAmountDigits}`;
    return undefined;
  }
  const first = text.charAt(0);
  if (first === "-" || first === "\u2212" || first === "\u2013") {
    return `"${text}" is negative; amounts must be positive`;
  }
  if (first === "+") return `"${text}" has a sign; write the amount without it`;
  if (/[^\P{N}0-9]/u.test(text)) {
    return `"${text}" uses digits other than 0-9; write amounts with the digits 0-9`;
  }
  if (/\d[eE][+-]?\d/.test(text)) {
    return `"${text}" uses exponent notation; write the number out (1000, not 1e3)`;
  }
  if (separatedDigits.test(text) && !/^[\d.]*$/.test(text)) {
    return `"${text}" is ambiguous: use a dot for decimals (1.5) and commas only between groups of three digits (1,000.50)`;
  }
  return `"${text}" is not a decimal number`;
}

/** Converts a non-negative decimal string ("1,000.5", ".25") to base units for `decimals` places. */
export function parseDecimal(text: string, decimals: number): bigint {
  const trimmed = text.trim();
  const problem = amountTextProblem(trimmed);
  if (problem) throw new DecimalFormatError(problem);
  const cleaned = trimmed.includes(",") ? trimmed.replaceAll(",", "") : trimmed;
  const match = decimalPattern.exec(cleaned);
  if (!match) throw new DecimalFormatError(`"${text}" is not a decimal number`);
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
