import { InvalidServiceEndpointError } from "./errors.js";

/** RFC 3986 unreserved characters: percent-encoding one of them does not change the URL. */
const unreserved = /^[A-Za-z0-9\-._~]$/;

/**
 * The form of an http(s) URL that names a registered service (`services.endpoint_key`): scheme and
 * host lower case, default port dropped, a trailing dot of the host, the query string, the fragment
 * and trailing slashes of the path left out, runs of slashes in the path made one (nginx, among
 * others, serves `//a//b` as `/a/b` by default); the path otherwise exact (after WHATWG parsing,
 * which resolves `.`/`..` segments, and RFC 3986 normalization of percent-encoding). Every spelling a
 * payee would serve as the same resource must give the same key, or a policy naming the service by
 * id could be bypassed by spelling its URL differently. Undefined for anything but an absolute
 * http(s) URL. A change here needs a migration that recomputes the stored keys (as 0130 does).
 */
export function endpointKey(url: string): string | undefined {
  const text = url.trim();
  if (!URL.canParse(text)) return undefined;
  const parsed = new URL(text);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  // WHATWG parsing already lowercases scheme and host, punycodes it and drops the default port.
  const hostname = parsed.hostname.replace(/\.$/, "");
  const host = parsed.port === "" ? hostname : `${hostname}:${parsed.port}`;
  const path = parsed.pathname
    .replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
      const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
      return unreserved.test(char) ? char : encoded.toUpperCase();
    })
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "");
  return `${parsed.protocol}//${host}${path}`;
}

/** endpointKey of an endpoint about to be stored: a registry row must always have one. */
export function requireEndpointKey(endpoint: string): string {
  const key = endpointKey(endpoint);
  if (key === undefined) {
    throw new InvalidServiceEndpointError(`Service endpoint ${endpoint} is not an http(s) URL`);
  }
  return key;
}
