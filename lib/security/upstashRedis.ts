import { Redis } from "@upstash/redis";
import { getConfig, upstashCredentials } from "../config.js";

/**
 * A raw @upstash/redis client for libraries that need one (@upstash/ratelimit). Strings stay
 * strings (no automatic JSON deserialisation), matching how the cache adapters store values.
 */
export function createUpstashRedis(credentials: { url: string; token: string }): Redis {
  return new Redis({
    url: credentials.url,
    token: credentials.token,
    automaticDeserialization: false,
  });
}

let shared: Redis | undefined;

/** The process-wide raw Upstash client from the configured credentials, or undefined when none are set. */
export function getUpstashRedis(): Redis | undefined {
  if (shared) return shared;
  const credentials = upstashCredentials(getConfig());
  if (!credentials) return undefined;
  shared = createUpstashRedis(credentials);
  return shared;
}
