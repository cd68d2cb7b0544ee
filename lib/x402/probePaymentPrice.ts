import type { Address } from "viem";
import { ClientError } from "../errors/index.js";
import { fetchPublic } from "../security/fetchPublic.js";
import { ResourceRequestError } from "./errors.js";
import { readPaymentRequiredBody } from "./readPaymentRequiredBody.js";
import { parsePaymentRequired } from "./requirements.js";
import { type AllowedAsset, selectRequirement } from "./selectRequirement.js";

/** Largest 402 body read while probing (v1 servers put their requirements there). */
const maxProbeBodyBytes = 64 * 1024;
/** Above any real price: the probe selects by the payment rules, not by a limit. */
const noLimit = 2n ** 256n - 1n;

/** Parameters of probePaymentPrice. */
export interface ProbePaymentPriceParameters {
  url: string;
  /** The agent's chain: only requirements on it can be paid. */
  chainId: number;
  allowedAssets: readonly AllowedAsset[];
  /** Restricts the price to one token (symbol or address), as the payment will. */
  token?: string;
  /** Abort after this long (default 5 s): a slow resource must not stall planning. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What a resource asks, in the requirement a payment would choose. */
export interface ProbePaymentPriceReturnType {
  /** Base units of `asset`. */
  amount: bigint;
  asset: Address;
  symbol: string;
  payTo: Address;
}

/**
 * Asks a resource its x402 price without paying: an unpaid GET must answer 402, and the price is
 * the requirement the payment itself would select (scheme "exact", this chain, an allowed asset,
 * the cheapest), so the probe and the payment read the same terms. Redirects are not followed and
 * internal hosts are refused, as for payments.
 */
export async function probePaymentPrice(
  parameters: ProbePaymentPriceParameters,
): Promise<ProbePaymentPriceReturnType> {
  const { url } = parameters;
  let response: Response;
  try {
    response = await fetchPublic(
      url,
      {
        method: "GET",
        headers: { accept: "application/json, */*;q=0.8" },
        signal: AbortSignal.timeout(parameters.timeoutMs ?? 5_000),
      },
      { fetch: parameters.fetch },
    );
  } catch (cause) {
    if (cause instanceof ClientError) throw cause; // a refused address is the caller's, as before
    throw new ResourceRequestError(
      `Probing ${new URL(url).origin} for its price failed`,
      undefined,
      {
        cause,
      },
    );
  }
  if (response.status !== 402) {
    await response.body?.cancel();
    const transient = response.status >= 500 || response.status === 429;
    throw new ResourceRequestError(
      `${url} answered ${response.status} when asked its price, not 402 Payment Required`,
      response.status,
      // An outage may pass; a resource that does not ask for payment will not start to.
      { kind: transient ? "transient" : "invalid" },
    );
  }
  const body = await readPaymentRequiredBody(response, maxProbeBodyBytes);
  const required = parsePaymentRequired({ headers: response.headers, body, url });
  const chosen = selectRequirement({
    accepts: required.accepts,
    chainId: parameters.chainId,
    allowedAssets: parameters.allowedAssets,
    maxAmount: noLimit,
    token: parameters.token,
  });
  const asset = parameters.allowedAssets.find(
    (a) => a.address.toLowerCase() === chosen.asset.toLowerCase(),
  );
  return {
    amount: BigInt(chosen.amount),
    asset: chosen.asset,
    symbol: asset?.symbol ?? chosen.asset,
    payTo: chosen.payTo,
  };
}
