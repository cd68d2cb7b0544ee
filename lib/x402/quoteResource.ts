import { ClientError } from "../errors/index.js";
import { fetchPublic } from "../security/fetchPublic.js";
import { ResourceRequestError } from "./errors.js";
import { type Quote, quotePaymentRequired } from "./quotePaymentRequired.js";
import { readPaymentRequiredBody } from "./readPaymentRequiredBody.js";
import { parsePaymentRequired } from "./requirements.js";
import type { AllowedAsset } from "./selectRequirement.js";

/** Largest 402 body read for a quote (v1 servers put their requirements there). */
const maxQuoteBodyBytes = 256 * 1024;

/** Inputs of quoteResource. */
export interface QuoteResourceParameters {
  url: string;
  chainId: number;
  allowedAssets: readonly AllowedAsset[];
  maxAmount?: bigint | undefined;
  token?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Reads an x402 resource's price without paying: one unpaid GET, its 402 decoded with the same
 * parser payments use (every dialect), and the option Paygent would pay. Nothing is signed.
 */
export async function quoteResource(parameters: QuoteResourceParameters): Promise<Quote> {
  let response: Response;
  try {
    // Never an internal host on a caller's behalf (fetchPublic).
    response = await fetchPublic(
      parameters.url,
      {
        headers: { accept: "application/json, */*;q=0.8" },
        signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
      },
      { fetch: parameters.fetch },
    );
  } catch (cause) {
    if (cause instanceof ClientError) throw cause; // a refused address is the caller's, as before
    throw new ResourceRequestError(
      `Request to ${new URL(parameters.url).origin} failed`,
      undefined,
      { cause, kind: "transient" },
    );
  }
  if (response.status !== 402) {
    // Nothing in the answer is read: the status alone says it is not for sale.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) {
      throw new ResourceRequestError(
        `Resource answered ${response.status}, not 402 Payment Required`,
        response.status,
      );
    }
    return {
      resource: parameters.url,
      paymentRequired: false,
      x402Version: null,
      accepts: [],
      selected: null,
      refusal: null,
    };
  }
  const body = await readPaymentRequiredBody(response, maxQuoteBodyBytes);
  const required = parsePaymentRequired({ headers: response.headers, body, url: parameters.url });
  return quotePaymentRequired({ required, ...parameters });
}
