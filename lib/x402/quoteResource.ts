import { ClientError } from "../errors/index.js";
import { assertPublicUrl } from "../security/assertPublicUrl.js";
import { fetchPinned, type PinnedRequestInit } from "../security/fetchPinned.js";
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
  // Never probe internal hosts on a caller's behalf. An injected fetch (tests) is checked up front
  // as before; it resolves names on its own.
  if (parameters.fetch) await assertPublicUrl(parameters.url);
  const init: PinnedRequestInit = {
    headers: { accept: "application/json, */*;q=0.8" },
    signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
  };
  let response: Response;
  try {
    // fetchPinned resolves once, checks and connects to that address: a check followed by a plain
    // fetch resolves twice, and a rebinding DNS answer could send the request to an internal host.
    response = parameters.fetch
      ? await parameters.fetch(parameters.url, { ...init, redirect: "manual" })
      : await fetchPinned(parameters.url, init, { redirect: "manual" });
  } catch (cause) {
    if (cause instanceof ClientError) throw cause; // a refused address is the caller's, as before
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
