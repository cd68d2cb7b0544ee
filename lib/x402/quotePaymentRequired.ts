import { BaseError } from "../errors/index.js";
import type { PaymentRequired, PaymentRequirement } from "./requirements.js";
import { type AllowedAsset, selectRequirement } from "./selectRequirement.js";

/** One way to pay a resource, as a quote shows it. */
export interface QuoteOption {
  scheme: string;
  network: string;
  /** Base units of `asset`. */
  amount: string;
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
}

/** A price read without paying. */
export interface Quote {
  resource: string;
  /** False when the resource answered without asking for payment. */
  paymentRequired: boolean;
  x402Version: number | null;
  accepts: QuoteOption[];
  /** The option Paygent would pay (cheapest acceptable one), or null with `refusal`. */
  selected: QuoteOption | null;
  /** Why Paygent would not pay, when it would not (no signature is ever made by a quote). */
  refusal: string | null;
}

/** Inputs of quotePaymentRequired. */
export interface QuotePaymentRequiredParameters {
  required: PaymentRequired;
  chainId: number;
  allowedAssets: readonly AllowedAsset[];
  maxAmount?: bigint | undefined;
  token?: string | undefined;
}

/**
 * Turns a decoded 402 declaration into a quote: every option, and the one selectRequirement would
 * pick under the same rules a payment uses (scheme, chain, allowed token, limit), or its refusal.
 */
export function quotePaymentRequired(parameters: QuotePaymentRequiredParameters): Quote {
  const { required } = parameters;
  let selected: QuoteOption | null = null;
  let refusal: string | null = null;
  try {
    selected = optionOf(
      selectRequirement({
        accepts: required.accepts,
        chainId: parameters.chainId,
        allowedAssets: parameters.allowedAssets,
        // Without a limit the quote still names the option Paygent would pay.
        maxAmount: parameters.maxAmount ?? 2n ** 256n,
        token: parameters.token,
      }),
    );
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    refusal = error.shortMessage;
  }
  return {
    resource: required.resource,
    paymentRequired: true,
    x402Version: required.x402Version,
    accepts: required.accepts.map(optionOf),
    selected,
    refusal,
  };
}

function optionOf(requirement: PaymentRequirement): QuoteOption {
  return {
    scheme: requirement.scheme,
    network: requirement.network,
    amount: requirement.amount,
    asset: requirement.asset,
    payTo: requirement.payTo,
    maxTimeoutSeconds: requirement.maxTimeoutSeconds,
  };
}
