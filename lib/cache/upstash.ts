import { Redis } from "@upstash/redis";
import { ServiceUnavailableError } from "../errors/index.js";
import {
  assertNonNegative,
  incrementScript,
  parseReserveReply,
  releaseScript,
  reserveScript,
  ttlMilliseconds,
} from "./scripts.js";
import type { Cache } from "./types.js";

export interface CreateUpstashCacheParameters {
  /** Upstash REST URL (UPSTASH_REDIS_REST_URL or KV_REST_API_URL). */
  url: string;
  token: string;
}

/**
 * Cache on Upstash Redis over REST (HTTP only, so it also runs on the edge). The Lua scripts are
 * the Redis adapter's, run with EVALSHA and an EVAL fallback.
 */
export function createUpstashCache(parameters: CreateUpstashCacheParameters): Cache {
  const redis = new Redis({
    url: parameters.url,
    token: parameters.token,
    // Values are plain strings: "123" must not come back as a number.
    automaticDeserialization: false,
  });
  const reserve = redis.createScript<[number, string]>(reserveScript);
  const release = redis.createScript<string>(releaseScript);
  const increment = redis.createScript<number>(incrementScript);
  const scripts = new Map<string, ReturnType<typeof redis.createScript<unknown>>>();

  return {
    kind: "upstash",
    async get(key) {
      return await redis.get<string>(key);
    },
    async set(key, value, options = {}) {
      const px = ttlMilliseconds(options.ttlSeconds);
      const reply = await redis.set(key, value, {
        ...(px > 0 ? { px } : {}),
        ...(options.onlyIfAbsent ? { nx: true } : {}),
      } as Parameters<Redis["set"]>[2]);
      return reply !== null;
    },
    async delete(...keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async increment(key, options = {}) {
      const by = options.by ?? 1;
      if (!Number.isSafeInteger(by))
        throw new RangeError(`increment step must be an integer, got ${by}`);
      const reply = await increment.exec(
        [key],
        [String(by), String(ttlMilliseconds(options.ttlSeconds))],
      );
      return Number(reply);
    },
    async reserve(key, amount, limit, options = {}) {
      const args = [
        assertNonNegative("amount", amount),
        assertNonNegative("limit", limit),
        String(ttlMilliseconds(options.ttlSeconds)),
      ];
      return parseReserveReply(await reserve.exec([key], args));
    },
    async release(key, amount) {
      return BigInt(String(await release.exec([key], [assertNonNegative("amount", amount)])));
    },
    async runScript(source, keys, args) {
      let script = scripts.get(source);
      if (!script) {
        script = redis.createScript<unknown>(source);
        scripts.set(source, script);
      }
      return await script.exec(keys, args);
    },
    async ping() {
      try {
        await redis.ping();
      } catch (error) {
        throw new ServiceUnavailableError("Upstash Redis is unreachable", { cause: error });
      }
    },
    // REST has no connection to close.
    async close() {},
  };
}
