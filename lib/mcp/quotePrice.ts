import { type AmountInput, resolveAmount } from "../amounts/index.js";
import { getChainContext } from "../chain/clients.js";
import { BaseError, ClientError, type ErrorKind } from "../errors/index.js";
import type { Quote } from "../x402/quotePaymentRequired.js";
import { quoteResource } from "../x402/quoteResource.js";
import { quoteMcpTool } from "./client/quoteMcpTool.js";
import { payableAssets } from "./payableAssets.js";

/** Inputs of quotePrice (quote_x402 and POST /api/payments/quote). */
export interface QuotePriceParameters {
  url: string;
  /** For a paid MCP server: the tool at `url` to price. */
  tool?: { name: string; arguments: Record<string, unknown> } | undefined;
  /** Per-payment limit to check the price against ({amount, token} in whole tokens). */
  maxAmount?: AmountInput | undefined;
}

/** The URL did not yield a price: not an x402 resource, a malformed 402, or no answer. */
export class QuoteFailedError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "QuoteFailedError";
}

/**
 * A live price, read without paying, on the agent's chain and tokens: an HTTP x402 resource's 402,
 * or a paid MCP tool's PaymentRequired. Nothing is signed.
 */
export async function quotePrice(parameters: QuotePriceParameters): Promise<Quote> {
  const chain = getChainContext();
  const max = parameters.maxAmount
    ? resolveAmount(parameters.maxAmount, { field: "maxAmount" })
    : undefined;
  const common = {
    chainId: chain.chain.id,
    allowedAssets: payableAssets(chain),
    maxAmount: max?.baseUnits,
    token: max?.token,
  };
  try {
    return parameters.tool
      ? await quoteMcpTool({ serverUrl: parameters.url, tool: parameters.tool, ...common })
      : await quoteResource({ url: parameters.url, ...common });
  } catch (error) {
    // Refusals of the caller's input (SSRF guard) stay as they are; the provider's failures are
    // the provider's: no answer may pass (transient), anything else is not a price (invalid).
    if (error instanceof ClientError || !(error instanceof BaseError)) throw error;
    throw new QuoteFailedError(
      `Could not read a price from ${new URL(parameters.url).origin}: ${error.shortMessage}`,
      { cause: error, kind: error.kind === "transient" ? "transient" : "invalid" },
    );
  }
}
