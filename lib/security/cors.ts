import { getConfig } from "../config.js";

/** Options for the CORS helpers; both default to the configuration. */
export interface CorsOptions {
  /** Exact origins allowed ("https://app.example.com"); "*" allows any origin. Default CORS_ORIGINS. */
  origins?: string[];
}

const allowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const allowHeaders = [
  "authorization",
  "content-type",
  "idempotency-key",
  "payment-signature",
  "x-payment",
  "x-paygent-timestamp",
  "x-paygent-signature",
  "x-paygent-event-id",
].join(", ");
const exposeHeaders = [
  "retry-after",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "payment-required",
  "payment-response",
  "x-payment-response",
  "location",
].join(", ");

function configuredOrigins(): string[] {
  try {
    return getConfig().CORS_ORIGINS;
  } catch {
    // A broken configuration fails elsewhere, loudly; here it only means "no cross-origin access".
    return [];
  }
}

/** The request's Origin when it is on the allow list (the value to echo back), else undefined. */
export function allowedOrigin(request: Request, options: CorsOptions = {}): string | undefined {
  const origin = request.headers.get("origin");
  if (!origin) return undefined;
  const origins = options.origins ?? configuredOrigins();
  if (origins.includes("*")) return origin;
  // Exact string match only: prefix or suffix matching lets evil.example.com.attacker.io through.
  return origins.includes(origin) ? origin : undefined;
}

/**
 * Answers a CORS preflight (OPTIONS with Access-Control-Request-Method), or returns undefined for
 * any other request. Origins not on the list get a 204 without CORS headers, so the browser
 * refuses the real request; nothing about the allow list leaks.
 */
export function preflight(request: Request, options: CorsOptions = {}): Response | undefined {
  if (request.method !== "OPTIONS" || !request.headers.get("access-control-request-method"))
    return undefined;
  const headers = new Headers({
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  });
  const origin = allowedOrigin(request, options);
  if (origin) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-methods", allowMethods);
    headers.set("access-control-allow-headers", allowHeaders);
    headers.set("access-control-max-age", "600");
  }
  return new Response(null, { status: 204, headers });
}

/**
 * Adds CORS headers to a response when the request's Origin is allowed. Credentials are never
 * allowed: the API authenticates with Bearer keys, not cookies. Returns a new Response because
 * responses from fetch() have immutable headers.
 */
export function withCors(
  request: Request,
  response: Response,
  options: CorsOptions = {},
): Response {
  const headers = new Headers(response.headers);
  headers.append("vary", "Origin");
  const origin = allowedOrigin(request, options);
  if (origin) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-expose-headers", exposeHeaders);
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/**
 * An OPTIONS export for api/ files, so preflights work on Vercel too (a function without an
 * OPTIONS export cannot answer them): `export { OPTIONS } from "../../lib/security/cors.js";`
 */
export async function OPTIONS(request: Request): Promise<Response> {
  return (
    preflight(request) ?? new Response(null, { status: 204, headers: { allow: allowMethods } })
  );
}
