import type { Cache } from "../cache/types.js";
import { getConfig } from "../config.js";
import { enforceRateLimit, type RateLimitResult } from "./rateLimit.js";

/** Inputs of enforcePublicRateLimit. */
export interface EnforcePublicRateLimitParameters {
  /** The group of public routes counted together, e.g. "facilitator", "webhooks", "demo". */
  group: string;
  /**
   * The route moves money or money's bookkeeping (facilitator settle, payment webhook, paid demo
   * resources): when the store is down such requests are refused (503) instead of let through.
   */
  moneyMoving: boolean;
  /** Requests per minute and IP; defaults to PUBLIC_RATE_LIMIT_PER_MINUTE. */
  limit?: number;
  cache?: Cache;
  now?: () => number;
}

/**
 * The per-IP limit of public routes, applied before any authentication or body parsing so that
 * an anonymous caller cannot make the server verify signatures, query the chain or settle payments
 * without bound. Throws ClientError("rate_limited") (429, retry-after) past the limit, and
 * ServiceUnavailableError (503) for money-moving routes while the store is down.
 */
export async function enforcePublicRateLimit(
  request: Request,
  parameters: EnforcePublicRateLimitParameters,
): Promise<RateLimitResult> {
  return enforceRateLimit(request, {
    bucket: `public:${parameters.group}`,
    limit: parameters.limit ?? getConfig().PUBLIC_RATE_LIMIT_PER_MINUTE,
    whenStoreDown: parameters.moneyMoving ? "refuse" : "allow",
    ...(parameters.cache ? { cache: parameters.cache } : {}),
    ...(parameters.now ? { now: parameters.now } : {}),
  });
}
