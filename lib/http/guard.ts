import { authenticate, type Principal, requireAdmin } from "../auth/authenticate.js";
import { enforceRateLimit, type RateLimitBucket } from "../security/rateLimit.js";

export interface GuardOptions {
  /** "any" (default): any valid key; "admin": admin keys only; false: public route, no key needed. */
  auth?: "any" | "admin" | false;
  /** Counts the request against this rate-limit bucket (per key and per IP). */
  rateLimit?: RateLimitBucket;
}

/**
 * The checks at the top of every handler, in one call: authenticate (401), require admin (403),
 * then rate limit (429). Returns the principal, or undefined for public routes.
 *
 *   const principal = await guard(request, { rateLimit: "command" });
 */
export async function guard(
  request: Request,
  options: GuardOptions & { auth: false },
): Promise<undefined>;
export async function guard(
  request: Request,
  options?: GuardOptions & { auth?: "any" | "admin" },
): Promise<Principal>;
export async function guard(
  request: Request,
  options?: GuardOptions,
): Promise<Principal | undefined>;
export async function guard(
  request: Request,
  options: GuardOptions = {},
): Promise<Principal | undefined> {
  const mode = options.auth ?? "any";
  let principal: Principal | undefined;
  if (mode !== false) {
    principal = await authenticate(request);
    if (mode === "admin") requireAdmin(principal);
  }
  if (options.rateLimit) await enforceRateLimit(request, { bucket: options.rateLimit, principal });
  return principal;
}
