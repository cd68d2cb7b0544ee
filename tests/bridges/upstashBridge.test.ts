import { randomBytes } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LOCAL_REDIS_URL, requireService } from "../helpers/services.js";
import { startUpstashBridge, type UpstashBridge } from "./upstashBridge.js";

/** The bridge is shared test infrastructure (cache, rate limits, budgets): pin what clients rely on. */

const redisUp = await requireService("Redis", LOCAL_REDIS_URL, 6379);
const prefix = `paygent:test:bridge:${randomBytes(4).toString("hex")}`;

describe.skipIf(!redisUp)("startUpstashBridge", () => {
  let bridge: UpstashBridge;
  let redis: Redis;

  beforeAll(async () => {
    bridge = await startUpstashBridge({ redisUrl: LOCAL_REDIS_URL });
    redis = new Redis({ url: bridge.url, token: bridge.token, automaticDeserialization: false });
  });
  afterAll(async () => {
    if (!bridge) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await bridge.close();
  });

  test("behavior: single commands, base64 replies and flat RESP2 hashes", async () => {
    await redis.set(`${prefix}:b64`, "dGVzdA==");
    expect(await redis.get(`${prefix}:b64`)).toBe("dGVzdA==");
    expect(await redis.ping()).toBe("PONG");
    await redis.hset(`${prefix}:hash`, { a: "1", b: "two" });
    // Without deserialization the client hands back RESP2's flat array; with it, an object.
    expect(await redis.hgetall(`${prefix}:hash`)).toEqual(["a", "1", "b", "two"]);
    const parsing = new Redis({ url: bridge.url, token: bridge.token });
    expect(await parsing.hgetall(`${prefix}:hash`)).toEqual({ a: 1, b: "two" });
  });

  test("behavior: pipeline and multi-exec return per-command results and errors", async () => {
    const pipeline = redis.pipeline();
    pipeline.set(`${prefix}:p`, "1");
    pipeline.incr(`${prefix}:p`);
    pipeline.get(`${prefix}:p`);
    expect(await pipeline.exec()).toEqual(["OK", 2, "2"]);
    const multi = redis.multi();
    multi.incr(`${prefix}:m`);
    multi.incr(`${prefix}:m`);
    expect(await multi.exec()).toEqual([1, 2]);
    const failing = redis.pipeline();
    failing.set(`${prefix}:text`, "x");
    failing.incr(`${prefix}:text`);
    await expect(failing.exec()).rejects.toThrow("ERR value is not an integer or out of range");
  });

  test("behavior: flagged scripts are stripped and EVALSHA hits the client's SHA", async () => {
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
    const sha = await redis.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [`${prefix}:lua`], [])).toBe(1);
    expect(await redis.eval(script, [`${prefix}:lua`], [])).toBe(2);
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });

  test("behavior: @upstash/ratelimit sliding window admits exactly the limit", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(5, "10 s"),
      prefix: `${prefix}:rl`,
    });
    const results = [];
    for (let i = 0; i < 8; i++) results.push((await limiter.limit("client-1")).success);
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
  });

  test("error: wrong token → 401; Redis errors are passed through verbatim", async () => {
    const stranger = new Redis({ url: bridge.url, token: "wrong", retry: false });
    await expect(stranger.get("x")).rejects.toThrow("Unauthorized");
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow("NOSCRIPT");
    await expect(redis.exec(["MULTI"])).rejects.toThrow("not supported by this REST bridge");
  });
});
