import type { PaymentRequired } from "@x402/core/types";
import type { Cache } from "../cache/index.js";
import { ClientError } from "../errors/index.js";
import { parseBoundedJson } from "../http/parseBoundedJson.js";
import { fetchPinned } from "../security/fetchPinned.js";
import { readBodyCapped } from "../security/readBodyCapped.js";
import { decodeJsonHeader } from "../x402/decodeJsonHeader.js";
import { PricingProbeError } from "./errors.js";
import { digest, PRICING_TTL_SECONDS, resolveCache } from "./registryCache.js";
import type { ServiceView } from "./serviceView.js";

/** The price a service asks for right now, read from its HTTP 402 answer. */
export interface LivePrice {
  serviceId: string;
  endpoint: string;
  /** 2 when read from the PAYMENT-REQUIRED header, 1 from a v1 JSON body. */
  x402Version: number;
  scheme: string;
  network: string;
  asset: string;
  /** Base units, as a decimal string. */
  amount: string;
  payTo: string;
  maxTimeoutSeconds: number | undefined;
  extra: Record<string, unknown>;
  /** Whether the live price differs from what the registry declares. */
  matchesRegistry: boolean;
  probedAt: string;
  /** True when answered from the 60 s cache. */
  cached: boolean;
}

export interface ProbePricingOptions {
  cache?: Cache;
  /** Abort the probe after this long (default 5 s): a slow provider must not stall planning. */
  timeoutMs?: number;
}

interface Requirement {
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  payTo: string;
  maxTimeoutSeconds?: number;
  extra?: Record<string, unknown>;
}

/**
 * Probes a service endpoint without paying: an unpaid GET must answer 402 with x402 payment
 * requirements (v2 PAYMENT-REQUIRED header, or a v1 JSON body). The chosen requirement is the
 * one on the registry's network and asset when offered, else the first "exact" one. Cached 60 s.
 */
export async function probePricing(
  service: Pick<ServiceView, "id" | "endpoint" | "price">,
  options: ProbePricingOptions = {},
): Promise<LivePrice> {
  const cache = await resolveCache(options.cache);
  const key = `registry:price:${digest(`${service.id}|${service.endpoint}`)}`;
  const hit = await cache.get(key);
  if (hit !== null) return { ...(JSON.parse(hit) as LivePrice), cached: true };

  const endpoint = service.endpoint;
  // The endpoint is caller-chosen: resolve once, refuse internal hosts, connect to the address that
  // was checked (fetchPinned), and follow no redirect (a 3xx is not a 402).
  let response: Response;
  try {
    response = await fetchPinned(
      endpoint,
      {
        method: "GET",
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      },
      { redirect: "manual" },
    );
  } catch (error) {
    if (error instanceof ClientError) throw error; // refused address: not an outage
    throw new PricingProbeError("Service endpoint did not answer", {
      endpoint,
      cause: error,
      kind: "transient",
    });
  }
  if (response.status !== 402) {
    await response.body?.cancel();
    throw new PricingProbeError(
      `Service endpoint answered ${response.status}, not 402 Payment Required`,
      {
        endpoint,
        status: response.status,
        // An upstream outage may pass; any other non-402 answer will not.
        kind: response.status >= 500 || response.status === 429 ? "transient" : "invalid",
      },
    );
  }
  const { version, accepts } = await readRequirements(response, endpoint);
  const chosen =
    accepts.find(
      (r) =>
        r.network === service.price.network &&
        r.asset.toLowerCase() === service.price.asset.toLowerCase(),
    ) ??
    accepts.find((r) => r.scheme === "exact") ??
    accepts[0];
  if (!chosen || !/^\d+$/.test(chosen.amount)) {
    throw new PricingProbeError("The 402 answer lists no usable payment requirement", {
      endpoint,
      status: 402,
    });
  }
  const price: LivePrice = {
    serviceId: service.id,
    endpoint,
    x402Version: version,
    scheme: chosen.scheme,
    network: chosen.network,
    asset: chosen.asset,
    amount: chosen.amount,
    payTo: chosen.payTo,
    maxTimeoutSeconds: chosen.maxTimeoutSeconds,
    extra: chosen.extra ?? {},
    matchesRegistry:
      chosen.amount === service.price.amount &&
      chosen.network === service.price.network &&
      chosen.asset.toLowerCase() === service.price.asset.toLowerCase(),
    probedAt: new Date().toISOString(),
    cached: false,
  };
  await cache.set(key, JSON.stringify(price), { ttlSeconds: PRICING_TTL_SECONDS });
  return price;
}

async function readRequirements(
  response: Response,
  endpoint: string,
): Promise<{ version: number; accepts: Requirement[] }> {
  const header = response.headers.get("payment-required");
  if (header) {
    await response.body?.cancel();
    try {
      // Size and depth bounded (decodeJsonHeader): `extra` is cached as the payee sent it.
      const decoded = decodeJsonHeader(header, "PAYMENT-REQUIRED") as PaymentRequired;
      return { version: decoded.x402Version, accepts: decoded.accepts };
    } catch (error) {
      throw new PricingProbeError("Malformed PAYMENT-REQUIRED header", {
        endpoint,
        status: 402,
        cause: error,
      });
    }
  }
  // x402 v1 put the requirements in the JSON body, with maxAmountRequired instead of amount.
  let body: unknown;
  try {
    // Read at most 256 KiB (a cut document fails to parse, as one sliced there did), and nested
    // at most MAX_REMOTE_JSON_DEPTH deep.
    const maxBytes = 256 * 1024;
    body = parseBoundedJson((await readBodyCapped(response, maxBytes)).text, { maxBytes });
  } catch (error) {
    throw new PricingProbeError(
      "402 answer has neither a PAYMENT-REQUIRED header nor a JSON body",
      {
        endpoint,
        status: 402,
        cause: error,
      },
    );
  }
  const v1 = body as { x402Version?: unknown; accepts?: unknown };
  if (!Array.isArray(v1.accepts)) {
    throw new PricingProbeError("402 answer carries no x402 payment requirements", {
      endpoint,
      status: 402,
    });
  }
  const accepts = v1.accepts.flatMap((item): Requirement[] => {
    const r = item as Record<string, unknown>;
    const amount = r.maxAmountRequired ?? r.amount;
    if (typeof amount !== "string" || typeof r.asset !== "string" || typeof r.network !== "string")
      return [];
    return [
      {
        scheme: String(r.scheme ?? "exact"),
        network: r.network,
        asset: r.asset,
        amount,
        payTo: String(r.payTo ?? ""),
        maxTimeoutSeconds:
          typeof r.maxTimeoutSeconds === "number" ? r.maxTimeoutSeconds : undefined,
        extra: (r.extra as Record<string, unknown> | undefined) ?? {},
      },
    ];
  });
  return { version: typeof v1.x402Version === "number" ? v1.x402Version : 1, accepts };
}
