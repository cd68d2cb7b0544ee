import { type Address, isAddressEqual } from "viem";
import { PayeeChangedError, RequirementChangedError } from "./errors.js";
import type { PaymentRequirement } from "./requirements.js";

/**
 * What a caller saw when it priced the resource (a registry probe, the plan): the payment must go
 * to the same payTo, in the same asset, for no more than `amount`. A payee that changes any of them
 * between the probe and the payment is refused before anything is signed.
 */
export interface ExpectedTerms {
  payTo?: Address | string | undefined;
  asset?: Address | string | undefined;
  /** Price ceiling in base units (the probed price). */
  amount?: bigint | string | undefined;
}

/** Throws PayeeChangedError when the offered requirement differs from the expected terms. */
export function assertExpectedTerms(expected: ExpectedTerms, offered: PaymentRequirement): void {
  if (expected.payTo && !isAddressEqual(expected.payTo as Address, offered.payTo)) {
    throw new PayeeChangedError("payTo", String(expected.payTo), offered.payTo);
  }
  if (expected.asset && !isAddressEqual(expected.asset as Address, offered.asset)) {
    throw new PayeeChangedError("asset", String(expected.asset), offered.asset);
  }
  if (expected.amount !== undefined && BigInt(offered.amount) > BigInt(expected.amount)) {
    throw new PayeeChangedError("amount", String(expected.amount), offered.amount);
  }
}

/** A retry must be quoted exactly the terms already stored (and maybe signed) for its nonce. */
export function assertSameTerms(stored: PaymentRequirement, fresh: PaymentRequirement): void {
  const fields = ["amount", "asset", "payTo", "network"] as const;
  for (const field of fields) {
    if (String(stored[field]).toLowerCase() !== String(fresh[field]).toLowerCase()) {
      throw new RequirementChangedError(field, String(stored[field]), String(fresh[field]));
    }
  }
}
