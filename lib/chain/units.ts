import { BaseError, type ErrorKind } from "../errors/index.js";

/** An amount that is not a non-negative integer of base units, or has more decimals than the token. */
export class InvalidAmountError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "InvalidAmountError";
}

/** Parses a base-unit amount (bigint or decimal-integer string) into a positive bigint. */
export function toBaseUnits(amount: bigint | string): bigint {
  const value =
    typeof amount === "bigint"
      ? amount
      : /^\d+$/.test(amount.trim())
        ? BigInt(amount.trim())
        : undefined;
  if (value === undefined || value <= 0n) {
    throw new InvalidAmountError(
      `Amount must be a positive integer of base units, got "${String(amount)}"`,
    );
  }
  return value;
}
