import { authenticate, type Principal } from "../auth/authenticate.js";
import type { Role as KeyRole } from "../auth/roles.js";
import { ClientError } from "../errors/index.js";
import { enforcePublicRateLimit } from "../security/enforcePublicRateLimit.js";
import { enforceRateLimit, type RateLimitBucket } from "../security/rateLimit.js";
import { verifyCronRequest } from "../security/verifyCronRequest.js";

/**
 * A role an API key may hold (lib/auth/roles.ts): "admin" manages keys, policies, notification
 * endpoints and freezes; "agent" submits commands; "approver" decides approvals. Declarations name
 * them as `auth: "admin"` or `auth: ["admin", "agent"]`.
 */
export type Role = KeyRole;

/**
 * Who may call a route:
 * - false: anyone (public; no key is read);
 * - "any": any valid API key;
 * - a role, or a list of roles: keys holding at least one of them (403 otherwise);
 * - "cron": Vercel Cron, which sends `Authorization: Bearer $CRON_SECRET`;
 * - "webhook": an HMAC-signed webhook sender (endpoint() verifies it; guard() leaves it alone);
 * - "x402": anyone; the handler answers 402 until the request carries a payment.
 */
export type EndpointAuth = false | "any" | Role | readonly Role[] | "cron" | "webhook" | "x402";

/** Auth values under which a request carries an API key, and the handler gets its principal. */
export type KeyAuth = "any" | Role | readonly Role[];

export interface GuardOptions {
  /** Default "any". See EndpointAuth. */
  auth?: EndpointAuth;
  /**
   * Counts the request against this rate-limit bucket, per IP and per presented key, before
   * authenticating (so bad keys are throttled too, and public routes can be limited).
   */
  rateLimit?: RateLimitBucket;
  /**
   * Reads the key's policy and freezes with the key, as principal.controls (see Principal).
   * "cached": may reuse this process's recent read of them (lib/auth/keyControlsCache), for
   * handlers that check it when they write; endpoint() then answers a StaleKeyControlsError again
   * on a fresh read.
   */
  keyControls?: boolean | "cached";
}

/** Whether a principal holds a role. The one place roles map onto keys. */
export function principalHasRole(principal: Principal, role: Role): boolean {
  return principal.role === role;
}

/** Whether `auth` asks for an API key (and so yields a principal). */
export function needsApiKey(auth: EndpointAuth | undefined): auth is KeyAuth | undefined {
  return !(auth === false || auth === "cron" || auth === "webhook" || auth === "x402");
}

/**
 * The checks at the top of every handler, in one call: rate limit per IP and per presented key
 * (429), authenticate (401), require a role (403). Returns the principal, or undefined
 * for routes that take no API key.
 *
 *   const principal = await guard(request, { rateLimit: "command" });
 */
export async function guard(
  request: Request,
  options: GuardOptions & { auth: false | "cron" | "webhook" | "x402" },
): Promise<undefined>;
export async function guard(
  request: Request,
  options?: GuardOptions & { auth?: KeyAuth },
): Promise<Principal>;
export async function guard(
  request: Request,
  options?: GuardOptions,
): Promise<Principal | undefined>;
export async function guard(
  request: Request,
  options: GuardOptions = {},
): Promise<Principal | undefined> {
  const auth = options.auth ?? "any";
  if (options.rateLimit?.startsWith("public:")) {
    // Public routes (facilitator, webhooks, demo resources): PUBLIC_RATE_LIMIT_PER_MINUTE per IP,
    // before any signature check or chain read; they settle or book payments, so a store outage
    // refuses them (503) instead of lifting the limit.
    await enforcePublicRateLimit(request, {
      group: options.rateLimit.slice("public:".length),
      moneyMoving: true,
    });
  } else if (options.rateLimit) {
    // The IP and the presented key in one round trip, before the key is looked up: a flood of
    // guessed keys is stopped by its IP's count without reaching the database.
    await enforceRateLimit(request, {
      bucket: options.rateLimit,
      perKey: needsApiKey(auth),
    });
  }
  if (auth === "cron") verifyCronRequest(request);
  if (!needsApiKey(auth)) return undefined;
  return await authorize(request, auth, options.keyControls ?? false);
}

/** Authenticates the request's key (401) and checks it holds one of the roles `auth` asks for (403). */
export async function authorize(
  request: Request,
  auth: KeyAuth,
  keyControls: boolean | "cached",
): Promise<Principal> {
  const principal = await authenticate(request, {
    withControls: keyControls !== false,
    cached: keyControls === "cached",
  });
  const roles: readonly Role[] = auth === "any" ? [] : typeof auth === "string" ? [auth] : auth;
  if (roles.length > 0 && !roles.some((role) => principalHasRole(principal, role))) {
    throw new ClientError(
      "forbidden",
      roles.includes("admin") && roles.length === 1
        ? "This endpoint needs an admin API key"
        : `This endpoint needs a key with one of the roles: ${roles.join(", ")}`,
    );
  }
  return principal;
}
