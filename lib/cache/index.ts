import { getConfig, upstashCredentials } from "../config.js";
import { clearProcessSingleton, processSingleton } from "../singleton.js";
import { createMemoryCache } from "./memory.js";
import type { Cache } from "./types.js";

export { createMemoryCache } from "./memory.js";
export type * from "./types.js";

/** The process-wide cache: Upstash REST when configured, else REDIS_URL, else in memory. */
export function getCache(): Promise<Cache> {
  const cache = processSingleton("cache", async (): Promise<Cache> => {
    const config = getConfig();
    const upstash = upstashCredentials(config);
    if (upstash) {
      const { createUpstashCache } = await import("./upstash.js");
      return createUpstashCache(upstash);
    }
    if (config.REDIS_URL) {
      const { createRedisCache } = await import("./redis.js");
      return createRedisCache({ url: config.REDIS_URL });
    }
    return createMemoryCache();
  });
  cache.catch(() => clearProcessSingleton("cache"));
  return cache;
}

/** Closes the process-wide cache (tests, graceful shutdown). */
export async function closeCache(): Promise<void> {
  const current = clearProcessSingleton<Promise<Cache>>("cache");
  if (current) await (await current.catch(() => undefined))?.close();
}
