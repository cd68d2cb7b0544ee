import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { presentedApiKey } from "../auth/presentedApiKey.js";
import { getCache } from "../cache/index.js";
import { ttlMilliseconds } from "../cache/scripts.js";
import type { Cache } from "../cache/types.js";
import { getConfig } from "../config.js";
import { ClientError, ServiceUnavailableError } from "../errors/index.js";
import { log } from "../log.js";
import { clientIp } from "./clientIp.js";
import { getUpstashRedis } from "./upstashRedis.js";

/**
 * Separate counters for ordinary commands, for money-moving or paid calls, and (per IP, before any
 * authentication) for each group of public routes: "public:facilitator", "public:webhooks", ….
 */
export type RateLimitBucket = "command" | "payment" | `public:${string}`;

export interface EnforceRateLimitParameters {
  bucket: RateLimitBucket;
  /**
   * Count the API key the request presents (Bearer) as well as its IP. The key is counted as
   * presented, before (or without) looking it up, under a digest of it, so the guard counts the IP
   * and the key in one round trip to the store; an unknown key only fills a counter of its own,
   * which the IP's limit bounds. A request presenting no key is counted by its IP alone.
   */
  perKey?: boolean;
  /** Requests allowed per window and identifier; defaults to RATE_LIMIT_PER_MINUTE. */
  limit?: number;
  windowSeconds?: number;
  /** Defaults to the process cache. */
  cache?: Cache;
  /** Raw Upstash client used when the cache is the Upstash adapter; defaults to the configured one. */
  upstash?: Redis;
  /** Clock for the cache-based limiter (tests). */
  now?: () => number;
  /**
   * What a store outage means: "allow" lets the request through (logged), "refuse" answers 503.
   * Default: refuse for the "payment" bucket (money must not move unmetered), allow otherwise.
   */
  whenStoreDown?: "allow" | "refuse";
}

export interface RateLimitResult {
  limit: number;
  /** Fewest requests left across the identifiers checked. */
  remaining: number;
  /** Unix ms when the current window ends. */
  reset: number;
}

const prefix = "paygent:rl";

/**
 * Counts the request against a fixed window per IP and, with a presented key, per API key; throws
 * ClientError("rate_limited") with a retry-after header once either exceeds the limit.
 *
 * The Upstash adapter goes through @upstash/ratelimit's fixed window; Redis and memory use
 * cache.increment with an expiry. Both count every attempt (rejected ones too) and reset at the
 * window boundary, so the limit means the same thing everywhere. If the store is down, ordinary
 * requests pass (logged: a cache outage must not take the whole API down) but money-moving ones
 * are refused with 503 (`whenStoreDown`): an outage must not lift the limit on spending.
 */
export async function enforceRateLimit(
  request: Request,
  parameters: EnforceRateLimitParameters,
): Promise<RateLimitResult> {
  const limit = parameters.limit ?? getConfig().RATE_LIMIT_PER_MINUTE;
  const windowSeconds = parameters.windowSeconds ?? 60;
  const identifiers = [`ip:${clientIp(request)}`];
  const apiKey = parameters.perKey ? presentedApiKey(request) : undefined;
  if (apiKey !== undefined) identifiers.push(`key:${rateLimitKeyId(apiKey)}`);

  let outcomes: { success: boolean; remaining: number; reset: number }[];
  try {
    const cache = parameters.cache ?? (await getCache());
    const upstash =
      cache.kind === "upstash" ? (parameters.upstash ?? getUpstashRedis()) : undefined;
    outcomes = upstash
      ? // @upstash/redis auto-pipelines the two limiters into one request.
        await Promise.all(
          identifiers.map((identifier) =>
            upstashLimiter(upstash, parameters.bucket, limit, windowSeconds).limit(identifier),
          ),
        )
      : await cacheLimit(
          cache,
          identifiers.map((identifier) => `${prefix}:${parameters.bucket}:${identifier}`),
          limit,
          windowSeconds,
          parameters.now,
        );
  } catch (error) {
    const whenDown =
      parameters.whenStoreDown ?? (parameters.bucket === "payment" ? "refuse" : "allow");
    if (whenDown === "refuse") {
      log.warn("rate limiter unavailable; request refused", { bucket: parameters.bucket, error });
      throw new ServiceUnavailableError(
        "The rate limiter is unavailable; money-moving requests are refused until it is back",
        { cause: error },
      );
    }
    log.warn("rate limiter unavailable; request allowed", { bucket: parameters.bucket, error });
    return { limit, remaining: limit, reset: Date.now() + windowSeconds * 1000 };
  }

  const now = parameters.now?.() ?? Date.now();
  const denied = outcomes.filter((outcome) => !outcome.success);
  if (denied.length > 0) {
    const reset = Math.max(...denied.map((outcome) => outcome.reset));
    const retryAfter = Math.max(1, Math.ceil((reset - now) / 1000));
    throw new ClientError("rate_limited", `Too many requests; retry in ${retryAfter} s`, {
      headers: {
        "retry-after": String(retryAfter),
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": "0",
      },
    });
  }
  return {
    limit,
    remaining: Math.min(...outcomes.map((outcome) => outcome.remaining)),
    reset: Math.max(...outcomes.map((outcome) => outcome.reset)),
  };
}

/**
 * The name of a presented API key's counter: a digest of its own (not the stored key hash), so the
 * store never holds anything the database could be matched against.
 */
function rateLimitKeyId(apiKey: string): string {
  return createHash("sha256")
    .update(`paygent rate limit\0${apiKey}`)
    .digest("base64url")
    .slice(0, 22);
}

/**
 * Counts one request under each key, in the window that holds now. On Redis the keys are counted by
 * one script (one command, where a command per key cost each accept ~40 µs more of main-thread
 * time: issue 17); the memory cache counts them one by one.
 */
async function cacheLimit(
  cache: Cache,
  keys: string[],
  limit: number,
  windowSeconds: number,
  now: (() => number) | undefined,
): Promise<{ success: boolean; remaining: number; reset: number }[]> {
  const windowMs = windowSeconds * 1000;
  const window = Math.floor((now?.() ?? Date.now()) / windowMs);
  // One key per window, expiring with it: no cleanup, and the count arms the TTL on creation.
  const windowKeys = keys.map((key) => `${key}:${window}`);
  const counts =
    cache.kind === "redis"
      ? parseCounts(
          await cache.runScript(countRequestsScript, windowKeys, [
            String(ttlMilliseconds(windowSeconds)),
          ]),
          windowKeys.length,
        )
      : await Promise.all(
          windowKeys.map((key) => cache.increment(key, { ttlSeconds: windowSeconds })),
        );
  return counts.map((count) => ({
    success: count <= limit,
    remaining: Math.max(0, limit - count),
    reset: (window + 1) * windowMs,
  }));
}

/** Adds one to each key (arming its expiry, ARGV[1] ms, when it creates it); returns the counts. */
const countRequestsScript = `
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call("INCR", key)
  if count == 1 then redis.call("PEXPIRE", key, ARGV[1]) end
  counts[i] = count
end
return counts
`;

function parseCounts(reply: unknown, expected: number): number[] {
  if (!Array.isArray(reply) || reply.length !== expected) {
    throw new TypeError(`the rate-limit script answered ${String(reply)}`);
  }
  return reply.map((count) => Number(count));
}

const limiters = new WeakMap<Redis, Map<string, Ratelimit>>();

function upstashLimiter(
  redis: Redis,
  bucket: RateLimitBucket,
  limit: number,
  windowSeconds: number,
): Ratelimit {
  let byConfig = limiters.get(redis);
  if (!byConfig) {
    byConfig = new Map();
    limiters.set(redis, byConfig);
  }
  const id = `${bucket}:${limit}:${windowSeconds}`;
  let limiter = byConfig.get(id);
  if (!limiter) {
    limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(limit, `${windowSeconds} s`),
      prefix: `${prefix}:${bucket}`,
      // No in-process block list: every instance must see the same count the other adapters see.
      ephemeralCache: false,
      analytics: false,
    });
    byConfig.set(id, limiter);
  }
  return limiter;
}
