import { createHash } from "node:crypto";
import { createClient } from "redis";
import { ServiceUnavailableError } from "../errors/index.js";
import { log } from "../log.js";
import {
  assertNonNegative,
  incrementScript,
  parseReserveReply,
  releaseScript,
  reserveScript,
  ttlMilliseconds,
} from "./scripts.js";
import type { Cache } from "./types.js";

export interface CreateRedisCacheParameters {
  /** redis:// or rediss:// connection string. */
  url: string;
  /** Connection attempts before the first connect gives up (later drops always reconnect). */
  connectAttempts?: number;
}

type RedisClient = ReturnType<typeof createClient>;

/** A Lua script run by SHA, falling back to EVAL once per connection when Redis does not know it. */
function defineScript(client: RedisClient, source: string) {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await client.eval(source, { keys, arguments: args });
    }
  };
}

/** Cache on a TCP Redis (node-redis). reserve/release/increment run as Lua, so each is atomic. */
export async function createRedisCache(parameters: CreateRedisCacheParameters): Promise<Cache> {
  const attempts = parameters.connectAttempts ?? 3;
  let connected = false;
  const client: RedisClient = createClient({
    url: parameters.url,
    socket: {
      connectTimeout: 5_000,
      // Fail start-up fast when Redis is absent; once up, keep reconnecting with a capped backoff.
      reconnectStrategy: (retries, cause) =>
        !connected && retries >= attempts - 1 ? cause : Math.min(100 * 2 ** retries, 3_000),
    },
  });
  // Without a listener node-redis' "error" events would crash the process on a dropped socket.
  client.on("error", (error: unknown) => {
    if (connected) log.warn("redis cache connection error", { error });
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new ServiceUnavailableError("Redis is unreachable", { cause: error });
  }
  connected = true;

  const reserve = defineScript(client, reserveScript);
  const release = defineScript(client, releaseScript);
  const increment = defineScript(client, incrementScript);
  const scripts = new Map<string, ReturnType<typeof defineScript>>();

  return {
    kind: "redis",
    async get(key) {
      return await client.get(key);
    },
    async set(key, value, options = {}) {
      const px = ttlMilliseconds(options.ttlSeconds);
      const reply = await client.set(key, value, {
        ...(px > 0 ? { expiration: { type: "PX", value: px } } : {}),
        ...(options.onlyIfAbsent ? { condition: "NX" } : {}),
      });
      return reply !== null;
    },
    async delete(...keys) {
      if (keys.length > 0) await client.del(keys);
    },
    async increment(key, options = {}) {
      const by = options.by ?? 1;
      if (!Number.isSafeInteger(by))
        throw new RangeError(`increment step must be an integer, got ${by}`);
      const reply = await increment(
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
      return parseReserveReply(await reserve([key], args));
    },
    async release(key, amount) {
      return BigInt(String(await release([key], [assertNonNegative("amount", amount)])));
    },
    async runScript(source, keys, args) {
      let script = scripts.get(source);
      if (!script) {
        script = defineScript(client, source);
        scripts.set(source, script);
      }
      return await script(keys, args);
    },
    async ping() {
      try {
        // A dropped connection queues commands while reconnecting; a health check must not wait.
        await client.withAbortSignal(AbortSignal.timeout(3_000)).ping();
      } catch (error) {
        throw new ServiceUnavailableError("Redis is unreachable", { cause: error });
      }
    },
    async close() {
      connected = false;
      if (client.isOpen) await client.close();
    },
  };
}
