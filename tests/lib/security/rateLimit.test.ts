import { randomBytes } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMemoryCache } from "../../../lib/cache/memory.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import type { Cache } from "../../../lib/cache/types.js";
import { createUpstashCache } from "../../../lib/cache/upstash.js";
import type { ClientError } from "../../../lib/errors/index.js";
import { ServiceUnavailableError } from "../../../lib/errors/index.js";
import { clientIp } from "../../../lib/security/clientIp.js";
import { enforcePublicRateLimit } from "../../../lib/security/enforcePublicRateLimit.js";
import { enforceRateLimit } from "../../../lib/security/rateLimit.js";
import { createUpstashRedis } from "../../../lib/security/upstashRedis.js";
import { startUpstashBridge, type UpstashBridge } from "../../bridges/upstashBridge.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A random IP and key per test, so runs never share counters in the real Redis. */
function caller() {
  const b = randomBytes(3);
  return {
    ip: `10.${b[0]}.${b[1]}.${b[2]}`,
    keyId: `key_${randomBytes(6).toString("hex")}`,
  };
}

function requestFrom(ip: string, apiKey?: string): Request {
  return new Request("http://localhost/api/agent/execute", {
    method: "POST",
    headers: {
      "x-forwarded-for": `${ip}, 10.0.0.1`,
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
  });
}

async function attempt(promise: Promise<unknown>): Promise<"ok" | ClientError> {
  return promise.then(
    () => "ok" as const,
    (error: ClientError) => error,
  );
}

interface Backend {
  cache: Cache;
  upstash?: Redis;
  /** Round trips made to the store so far, where the backend can count them. */
  roundTrips?: () => number;
  close(): Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  memory: async () => {
    const cache = createMemoryCache();
    return { cache, close: () => cache.close() };
  },
  redis: async () => {
    const cache = await createRedisCache({ url: redisUrl });
    return { cache, close: () => cache.close() };
  },
  "upstash (REST bridge, @upstash/ratelimit)": async () => {
    const bridge: UpstashBridge = await startUpstashBridge({ redisUrl });
    const cache = createUpstashCache({ url: bridge.url, token: bridge.token });
    const upstash = createUpstashRedis({ url: bridge.url, token: bridge.token });
    return {
      cache,
      upstash,
      roundTrips: () => bridge.requests,
      close: async () => {
        await cache.close();
        await bridge.close();
      },
    };
  },
};

for (const [name, open] of Object.entries(backends)) {
  describe(`enforceRateLimit on ${name}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await open();
    });
    afterAll(async () => {
      await backend?.close();
    });
    const limitFor = (
      ip: string,
      extra: { apiKey?: string; bucket?: "command" | "payment" } = {},
    ) =>
      enforceRateLimit(requestFrom(ip, extra.apiKey), {
        bucket: extra.bucket ?? "command",
        perKey: true,
        limit: 3,
        cache: backend.cache,
        upstash: backend.upstash,
      });

    test("behavior: the limit passes, the next request gets 429 with retry-after", async () => {
      const { ip } = caller();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await attempt(limitFor(ip)));
      expect(results.slice(0, 3)).toEqual(["ok", "ok", "ok"]);
      const denied = results[3] as ClientError;
      expect(denied.code).toBe("rate_limited");
      expect(denied.status).toBe(429);
      const retryAfter = Number(denied.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(denied.headers["x-ratelimit-remaining"]).toBe("0");
    });

    test("behavior: remaining counts down", async () => {
      const { ip } = caller();
      const first = await limitFor(ip);
      const second = await limitFor(ip);
      expect([first.limit, first.remaining, second.remaining]).toEqual([3, 2, 1]);
      expect(first.reset).toBeGreaterThan(Date.now());
    });

    test("behavior: IPs and buckets are counted separately", async () => {
      const a = caller();
      const b = caller();
      for (let i = 0; i < 3; i++) await limitFor(a.ip);
      expect(await attempt(limitFor(a.ip))).not.toBe("ok");
      expect(await attempt(limitFor(b.ip))).toBe("ok");
      expect(await attempt(limitFor(a.ip, { bucket: "payment" }))).toBe("ok");
    });

    test("behavior: a key is limited across IPs (per key as well as per IP)", async () => {
      const { keyId } = caller();
      const outcomes = [];
      for (let i = 0; i < 4; i++)
        outcomes.push(await attempt(limitFor(caller().ip, { apiKey: keyId })));
      expect(outcomes.slice(0, 3)).toEqual(["ok", "ok", "ok"]);
      expect((outcomes[3] as ClientError).code).toBe("rate_limited");
      // Another key from a new IP still passes: the key's own count stopped the fourth request.
      expect(await attempt(limitFor(caller().ip, { apiKey: caller().keyId }))).toBe("ok");
    });

    test("behavior: the IP and the key are counted in one round trip to the store", async () => {
      const { ip, keyId } = caller();
      await limitFor(ip, { apiKey: keyId }); // the scripts are loaded now
      const before = backend.roundTrips?.();
      const result = await limitFor(ip, { apiKey: keyId });
      expect(result.remaining).toBe(1);
      if (before !== undefined) expect(backend.roundTrips!() - before).toBe(1);
    });

    test("behavior: 20 concurrent requests against a limit of 3 let exactly 3 through", async () => {
      const { ip } = caller();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(limitFor(ip))));
      expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    });
  });
}

describe("enforceRateLimit on Redis: one script for both counters", () => {
  test("behavior: the IP's and the key's counters are created with the window's expiry and counted together", async () => {
    const cache = await createRedisCache({ url: redisUrl });
    const raw = createClient({ url: redisUrl });
    await raw.connect();
    try {
      const { ip, keyId } = caller();
      const keyCountersBefore = new Set(await raw.keys("paygent:rl:command:key:*"));
      const limited = () =>
        enforceRateLimit(requestFrom(ip, keyId), {
          bucket: "command",
          perKey: true,
          limit: 2,
          windowSeconds: 30,
          cache,
        });
      expect((await limited()).remaining).toBe(1);
      expect((await limited()).remaining).toBe(0);
      expect(((await attempt(limited())) as ClientError).code).toBe("rate_limited");
      const keys = await raw.keys(`paygent:rl:command:*${ip}*`);
      const keyKeys = (await raw.keys("paygent:rl:command:key:*")).filter(
        (key) => !keyCountersBefore.has(key),
      );
      expect(keys).toHaveLength(1);
      expect(await raw.get(keys[0]!)).toBe("3");
      const ttl = await raw.pTTL(keys[0]!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
      // The key's counter too (its name is a digest of the key, never the key).
      const counted = await Promise.all(
        keyKeys.map(async (key) => [await raw.get(key), await raw.pTTL(key)]),
      );
      expect(
        counted.some(
          ([count, pttl]) => count === "3" && Number(pttl) > 0 && Number(pttl) <= 30_000,
        ),
      ).toBe(true);
    } finally {
      await raw.close();
      await cache.close();
    }
  });
});

describe("enforceRateLimit windows (memory clock)", () => {
  test("behavior: a fixed window resets at its boundary", async () => {
    const cache = createMemoryCache();
    let now = 1_800_000_000_000; // a window boundary (multiple of 60 s)
    const run = () =>
      attempt(
        enforceRateLimit(requestFrom("10.9.9.9"), {
          bucket: "command",
          limit: 2,
          cache,
          now: () => now,
        }),
      );
    expect([await run(), await run()]).toEqual(["ok", "ok"]);
    now += 59_000;
    const denied = (await run()) as ClientError;
    expect(denied.headers["retry-after"]).toBe("1");
    now += 1_000;
    expect(await run()).toBe("ok");
  });

  test("behavior: without an explicit limit RATE_LIMIT_PER_MINUTE applies (default 120)", async () => {
    const cache = createMemoryCache();
    const result = await enforceRateLimit(requestFrom("10.8.8.8"), { bucket: "command", cache });
    expect(result.limit).toBe(120);
    expect(result.remaining).toBe(119);
  });

  test("behavior: an unreachable store lets the request through instead of failing the API", async () => {
    const cache = await createRedisCache({ url: redisUrl });
    await cache.close();
    const result = await enforceRateLimit(requestFrom("10.7.7.7"), {
      bucket: "command",
      limit: 1,
      cache,
    });
    expect(result.remaining).toBe(1);
  });
});

describe("rate limits that fail closed", () => {
  async function downStore(): Promise<Cache> {
    const cache = await createRedisCache({ url: redisUrl });
    await cache.close();
    return cache;
  }

  test("error: money-moving requests are refused (503) while the store is down", async () => {
    const cache = await downStore();
    const payment = await attempt(
      enforceRateLimit(requestFrom("10.7.7.8"), { bucket: "payment", limit: 1, cache }),
    );
    expect(payment).toBeInstanceOf(ServiceUnavailableError);
    const publicMoney = await attempt(
      enforcePublicRateLimit(requestFrom("10.7.7.9"), {
        group: "facilitator",
        moneyMoving: true,
        cache,
      }),
    );
    expect(publicMoney).toBeInstanceOf(ServiceUnavailableError);
    // Read-only public routes stay up.
    const publicRead = await enforcePublicRateLimit(requestFrom("10.7.7.9"), {
      group: "openapi",
      moneyMoving: false,
      cache,
    });
    expect(publicRead.remaining).toBe(publicRead.limit);
  });

  test("behavior: public routes are limited per IP and per group, before any key is looked at", async () => {
    const cache = createMemoryCache();
    const { ip } = caller();
    const hit = (group: string) =>
      attempt(
        enforcePublicRateLimit(requestFrom(ip), { group, moneyMoving: true, limit: 2, cache }),
      );
    expect([await hit("webhooks"), await hit("webhooks")]).toEqual(["ok", "ok"]);
    expect(((await hit("webhooks")) as ClientError).code).toBe("rate_limited");
    expect(await hit("demo")).toBe("ok");
    expect(
      await attempt(
        enforcePublicRateLimit(requestFrom(caller().ip), {
          group: "webhooks",
          moneyMoving: true,
          limit: 2,
          cache,
        }),
      ),
    ).toBe("ok");
  });

  test("behavior: without an explicit limit PUBLIC_RATE_LIMIT_PER_MINUTE applies (default 120)", async () => {
    const result = await enforcePublicRateLimit(requestFrom(caller().ip), {
      group: "demo",
      moneyMoving: true,
      cache: createMemoryCache(),
    });
    expect(result.limit).toBe(120);
  });
});

describe("clientIp", () => {
  test("args: x-real-ip, then the first x-forwarded-for hop, else unknown; junk is ignored", () => {
    const ip = (headers: Record<string, string>) => clientIp(new Request("http://x/", { headers }));
    expect(ip({ "x-real-ip": "203.0.113.7", "x-forwarded-for": "198.51.100.1" })).toBe(
      "203.0.113.7",
    );
    expect(ip({ "x-forwarded-for": "198.51.100.1, 10.0.0.1" })).toBe("198.51.100.1");
    expect(ip({ "x-forwarded-for": "2001:DB8::1" })).toBe("2001:db8::1");
    expect(ip({ "x-forwarded-for": "<script>, 1.1.1.1" })).toBe("unknown");
    expect(ip({})).toBe("unknown");
  });
});
