import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { ClientError } from "../errors/index.js";
import {
  type AssertPublicUrlOptions,
  type ResolvedAddress,
  resolvePublicTarget,
} from "./assertPublicUrl.js";

/**
 * What fetchPinned does with a 3xx answer:
 * - "manual": returns it (the caller decides; a paid request treats it as the payee failing);
 * - "same-origin": follows up to maxRedirects redirects within the same origin, refuses others;
 * - "error": refuses any redirect.
 */
export type PinnedRedirectMode = "manual" | "same-origin" | "error";

/** Options of fetchPinned, on top of the request's own init. */
export interface FetchPinnedOptions extends AssertPublicUrlOptions {
  redirect?: PinnedRedirectMode;
  /** Default 3. */
  maxRedirects?: number;
}

/** Request options fetchPinned understands (a subset of RequestInit, without `redirect`). */
export interface PinnedRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The caller asked to follow a redirect Paygent does not follow (another origin, or any at all). */
export class RedirectRefusedError extends ClientError {
  override name = "RedirectRefusedError";
  readonly location: string | null;
  constructor(from: URL, location: string | null, reason: string) {
    super("forbidden", `Refused to follow a redirect from ${from.origin}: ${reason}`, {
      metaMessages: [
        "Paid and caller-directed requests never follow redirects to another origin: the priced URL is the paid URL.",
      ],
    });
    this.location = location;
  }
}

const agents = new Map<string, Agent>();
const MAX_AGENTS = 64;

/**
 * An undici Agent that connects to `address` whatever the socket asks DNS for: TLS still sends
 * the host name (SNI) and checks the certificate against it, but the TCP connection goes to the
 * address that was checked. One per (host, address), so keep-alive still works across calls.
 */
function pinnedAgent(hostname: string, pinned: ResolvedAddress): Agent {
  const key = `${hostname}|${pinned.address}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key); // re-insert: the Map's order is the eviction order (least recent first)
    agents.set(key, agent);
    return agent;
  }
  agent = new Agent({
    connect: {
      lookup: (_host, options, callback) => {
        const answer: LookupAddress = { address: pinned.address, family: pinned.family };
        // Node asks for every address when it races families (autoSelectFamily), else for one.
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, [
            answer,
          ]);
        } else callback(null, answer.address, answer.family);
      },
    },
    keepAliveTimeout: 10_000,
  });
  agents.set(key, agent);
  if (agents.size > MAX_AGENTS) {
    const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
    agents.delete(oldestKey);
    void oldest.close().catch(() => {});
  }
  return agent;
}

/**
 * fetch for URLs a caller chose (pay, pricing probes, registry checks): resolves DNS once, checks
 * every address (assertPublicUrl's rules, IPv6 transition forms included), connects to the first
 * checked address, and handles redirects itself (`redirect`, default "error"), re-checking each hop.
 * Returns a WHATWG Response.
 */
export async function fetchPinned(
  input: string | URL,
  init: PinnedRequestInit = {},
  options: FetchPinnedOptions = {},
): Promise<Response> {
  const mode = options.redirect ?? "error";
  const maxRedirects = options.maxRedirects ?? 3;
  let target = await resolvePublicTarget(input, options);
  const origin = target.url.origin;
  let method = init.method ?? "GET";
  for (let hop = 0; ; hop++) {
    const { url, addresses } = target;
    const response = (await undiciFetch(url, {
      method,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined && method !== "GET" && method !== "HEAD"
        ? { body: init.body }
        : {}),
      ...(init.signal ? { signal: init.signal } : {}),
      redirect: "manual",
      dispatcher: pinnedAgent(url.hostname, addresses[0]!),
    })) as unknown as Response;
    if (response.status < 300 || response.status >= 400 || response.status === 304) return response;
    if (mode === "manual") return response;
    const location = response.headers.get("location");
    await response.body?.cancel().catch(() => {});
    if (mode === "error")
      throw new RedirectRefusedError(url, location, "redirects are not followed");
    if (!location) return response;
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new RedirectRefusedError(url, location, "the Location header is not a URL");
    }
    if (next.origin !== origin) {
      throw new RedirectRefusedError(url, location, `it points at another origin (${next.origin})`);
    }
    if (hop + 1 > maxRedirects) throw new RedirectRefusedError(url, location, "too many redirects");
    if (method !== "GET" && method !== "HEAD") {
      throw new RedirectRefusedError(url, location, `a ${method} request is never redirected`);
    }
    // Same origin: same host, so the addresses already checked still apply (no second lookup).
    target = { url: next, addresses };
    method = response.status === 303 ? "GET" : method;
  }
}

/**
 * A fetch-shaped function over fetchPinned (for code written against fetch, e.g. payForResource).
 * The init's own `redirect` is ignored: the options decide.
 */
export function createPinnedFetch(options: FetchPinnedOptions = {}): typeof fetch {
  // One answer per host for the function's lifetime: the paid request of an x402 exchange goes to
  // the address that answered its 402, not to whatever a second lookup returns.
  const answers = new Map<string, Promise<ResolvedAddress[]>>();
  const resolve = options.lookup ?? systemLookup;
  const lookup = (hostname: string) => {
    let answer = answers.get(hostname);
    if (!answer) {
      answer = resolve(hostname);
      answers.set(hostname, answer);
      answer.catch(() => answers.delete(hostname));
    }
    return answer;
  };
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : input;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    return fetchPinned(
      url,
      {
        method: init?.method ?? "GET",
        headers,
        ...(typeof init?.body === "string" ? { body: init.body } : {}),
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      { ...options, lookup },
    );
  }) as typeof fetch;
}

async function systemLookup(hostname: string): Promise<ResolvedAddress[]> {
  const entries = await dnsLookup(hostname, { all: true, verbatim: true });
  return entries.map((entry) => ({ address: entry.address, family: entry.family as 4 | 6 }));
}
