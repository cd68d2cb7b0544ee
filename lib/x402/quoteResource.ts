import { assertPublicUrl } from "../security/assertPublicUrl.js";
import { ResourceRequestError } from "./errors.js";
import { type Quote, quotePaymentRequired } from "./quotePaymentRequired.js";
import { parsePaymentRequired } from "./requirements.js";
import type { AllowedAsset } from "./selectRequirement.js";

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
  await assertPublicUrl(parameters.url); // never probe internal hosts on a caller's behalf
  let response: Response;
  try {
    response = await (parameters.fetch ?? fetch)(parameters.url, {
      headers: { accept: "application/json, */*;q=0.8" },
      redirect: "manual",
      signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new ResourceRequestError(
      `Request to ${new URL(parameters.url).origin} failed`,
      undefined,
      { cause, kind: "transient" },
    );
  }
  const body = (await response.text()).slice(0, 256 * 1024);
  if (response.status !== 402) {
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
  const required = parsePaymentRequired({ headers: response.headers, body, url: parameters.url });
  return quotePaymentRequired({ required, ...parameters });
}
