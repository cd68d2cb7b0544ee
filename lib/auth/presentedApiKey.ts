/**
 * The API key a request presents as `Authorization: Bearer <key>`, or undefined when the header
 * is missing or malformed (printable ASCII, 8–200 characters). Nothing is looked up: authenticate
 * resolves it, and the rate limiter counts it before that (see enforceRateLimit).
 */
export function presentedApiKey(request: Request): string | undefined {
  const header = request.headers.get("authorization") ?? "";
  return /^Bearer +([\x21-\x7e]{8,200})$/i.exec(header)?.[1];
}
