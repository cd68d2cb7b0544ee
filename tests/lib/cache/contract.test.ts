import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMemoryCache } from "../../../lib/cache/memory.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import type { Cache } from "../../../lib/cache/types.js";
import { createUpstashCache } from "../../../lib/cache/upstash.js";
import { startUpstashBridge, type UpstashBridge } from "../../bridges/upstashBridge.js";
import { isPortOpen, LOCAL_REDIS_URL, requireService } from "../../helpers/services.js";

/**
 * One contract, every adapter: the memory cache, node-redis on the local Redis, and the Upstash REST
 * client through the bridge to the same Redis. Keys carry a per-run prefix so parallel runs never
 * collide on the shared server.
 */

const redisUp = await requireService("Redis", LOCAL_REDIS_URL, 6379);
const runPrefix = `paygent:test:cache:${randomBytes(4).toString("hex")}`;

interface Adapter {
  name: string;
  available: boolean;
  open(): Promise<{ cache: Cache; close(): Promise<void> }>;
}

let bridge: UpstashBridge | undefined;

const adapters: Adapter[] = [
  {
    name: "memory",
    available: true,
    async open() {
      const cache = createMemoryCache();
      return { cache, close: () => cache.close() };
    },
  },
  {
    name: "redis",
    available: redisUp,
    async open() {
      const cache = await createRedisCache({ url: LOCAL_REDIS_URL });
      return { cache, close: () => cache.close() };
    },
  },
  {
    name: "upstash (REST bridge)",
    available: redisUp,
    async open() {
      bridge = await startUpstashBridge({ redisUrl: LOCAL_REDIS_URL });
      const cache = createUpstashCache({ url: bridge.url, token: bridge.token });
      return { cache, close: async () => bridge?.close() };
    },
  },
];

/** Waits past an expiry; expiries are a few hundred ms so the suite stays fast but unambiguous. */
const pastExpiry = () => sleep(700);

for (const adapter of adapters) {
  describe.skipIf(!adapter.available)(`Cache contract: ${adapter.name}`, () => {
    let cache: Cache;
    let close: () => Promise<void>;
    const used = new Set<string>();
    const key = (name: string): string => {
      const full = `${runPrefix}:${adapter.name.split(" ")[0]}:${name}`;
      used.add(full);
      return full;
    };

    beforeAll(async () => {
      ({ cache, close } = await adapter.open());
    });
    afterAll(async () => {
      if (!cache) return;
      await cache.delete(...used);
      await close();
    });

    test("behavior: get returns null for a missing key and set/get round-trips strings exactly", async () => {
      expect(await cache.get(key("missing"))).toBeNull();
      // Values a careless REST layer would corrupt: numeric text, valid base64, JSON, non-ASCII.
      for (const [name, value] of [
        ["numeric", "123"],
        ["base64ish", "dGVzdA=="],
        ["json", '{"a":[1,2]}'],
        ["unicode", "ünïcødé 🚀"],
        ["ok", "OK"],
        ["empty", ""],
      ] as const) {
        expect(await cache.set(key(name), value)).toBe(true);
        expect(await cache.get(key(name))).toBe(value);
      }
    });

    test("behavior: set with onlyIfAbsent writes only when the key is missing", async () => {
      expect(await cache.set(key("nx"), "first", { onlyIfAbsent: true })).toBe(true);
      expect(await cache.set(key("nx"), "second", { onlyIfAbsent: true })).toBe(false);
      expect(await cache.get(key("nx"))).toBe("first");
      expect(await cache.set(key("nx"), "third")).toBe(true);
      expect(await cache.get(key("nx"))).toBe("third");
    });

    test("behavior: ttlSeconds expires the value; a later plain set clears the expiry", async () => {
      await cache.set(key("ttl"), "soon gone", { ttlSeconds: 0.3 });
      await cache.set(key("ttl-cleared"), "v1", { ttlSeconds: 0.3 });
      await cache.set(key("ttl-cleared"), "v2");
      expect(await cache.set(key("ttl-nx"), "seed", { ttlSeconds: 0.3, onlyIfAbsent: true })).toBe(
        true,
      );
      expect(await cache.set(key("ttl-nx"), "other", { ttlSeconds: 60, onlyIfAbsent: true })).toBe(
        false,
      );
      expect(await cache.get(key("ttl"))).toBe("soon gone");
      await pastExpiry();
      expect(await cache.get(key("ttl"))).toBeNull();
      expect(await cache.get(key("ttl-cleared"))).toBe("v2");
      expect(await cache.get(key("ttl-nx"))).toBeNull();
      // An expired key counts as absent for onlyIfAbsent.
      expect(await cache.set(key("ttl"), "again", { onlyIfAbsent: true })).toBe(true);
    });

    test("behavior: delete removes every given key and ignores missing ones", async () => {
      await cache.set(key("del-a"), "a");
      await cache.set(key("del-b"), "b");
      await cache.delete(key("del-a"), key("del-b"), key("del-never"));
      await cache.delete();
      expect(await cache.get(key("del-a"))).toBeNull();
      expect(await cache.get(key("del-b"))).toBeNull();
    });

    test("behavior: increment counts from zero by `by` and is atomic under concurrency", async () => {
      expect(await cache.increment(key("count"))).toBe(1);
      expect(await cache.increment(key("count"), { by: 5 })).toBe(6);
      expect(await cache.get(key("count"))).toBe("6");
      const results = await Promise.all(
        Array.from({ length: 50 }, () => cache.increment(key("count-concurrent"))),
      );
      expect(new Set(results).size).toBe(50);
      expect(await cache.get(key("count-concurrent"))).toBe("50");
    });

    test("behavior: increment arms the expiry only when it creates the counter", async () => {
      expect(await cache.increment(key("window"), { ttlSeconds: 0.3 })).toBe(1);
      // A later ttl must not push the window out (fixed-window rate limits rely on this).
      expect(await cache.increment(key("window"), { ttlSeconds: 60 })).toBe(2);
      await pastExpiry();
      expect(await cache.get(key("window"))).toBeNull();
      expect(await cache.increment(key("window"), { ttlSeconds: 60 })).toBe(1);
    });

    test("behavior: reserve adds while the total stays within the limit", async () => {
      expect(await cache.reserve(key("budget"), 4n, 10n)).toEqual({ reserved: true, total: 4n });
      expect(await cache.reserve(key("budget"), 6n, 10n)).toEqual({ reserved: true, total: 10n });
      expect(await cache.reserve(key("budget"), 1n, 10n)).toEqual({ reserved: false, total: 10n });
      expect(await cache.get(key("budget"))).toBe("10");
      expect(await cache.reserve(key("budget-empty"), 11n, 10n)).toEqual({
        reserved: false,
        total: 0n,
      });
      expect(await cache.reserve(key("budget-zero"), 0n, 0n)).toEqual({
        reserved: true,
        total: 0n,
      });
    });

    test("behavior: reserve is exact beyond 64 bits (18-decimal tokens, uint256)", async () => {
      const maxUint256 = 2n ** 256n - 1n;
      const half = 2n ** 255n + 12_345n;
      expect(await cache.reserve(key("big"), half, maxUint256)).toEqual({
        reserved: true,
        total: half,
      });
      expect(await cache.reserve(key("big"), half, maxUint256)).toEqual({
        reserved: false,
        total: half,
      });
      const rest = maxUint256 - half;
      expect(await cache.reserve(key("big"), rest, maxUint256)).toEqual({
        reserved: true,
        total: maxUint256,
      });
      expect(await cache.get(key("big"))).toBe(maxUint256.toString());
      expect(await cache.release(key("big"), half)).toBe(rest);
    });

    test("behavior: 50 concurrent reserves against room for 10 → exactly 10 succeed", async () => {
      const oneCro = 10n ** 18n;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => cache.reserve(key("race"), oneCro, 10n * oneCro)),
      );
      expect(results.filter((result) => result.reserved)).toHaveLength(10);
      expect(
        results.filter((result) => !result.reserved).every((r) => r.total === 10n * oneCro),
      ).toBe(true);
      expect(await cache.get(key("race"))).toBe((10n * oneCro).toString());
    });

    test("behavior: reserve arms the expiry on creation and later reserves keep it", async () => {
      await cache.reserve(key("daily"), 1n, 100n, { ttlSeconds: 0.3 });
      await cache.reserve(key("daily"), 1n, 100n);
      await cache.reserve(key("daily"), 1n, 100n, { ttlSeconds: 60 });
      expect(await cache.get(key("daily"))).toBe("3");
      await pastExpiry();
      expect(await cache.get(key("daily"))).toBeNull();
    });

    test("behavior: release subtracts, never below zero, and keeps the expiry", async () => {
      await cache.reserve(key("refund"), 10n, 100n, { ttlSeconds: 0.3 });
      expect(await cache.release(key("refund"), 3n)).toBe(7n);
      expect(await cache.release(key("refund"), 50n)).toBe(0n);
      expect(await cache.reserve(key("refund"), 100n, 100n)).toEqual({
        reserved: true,
        total: 100n,
      });
      await pastExpiry();
      expect(await cache.get(key("refund"))).toBeNull();
      const releases = await Promise.all(
        Array.from({ length: 20 }, () => cache.release(key("refund-missing"), 1n)),
      );
      expect(releases.every((total) => total === 0n)).toBe(true);
    });

    test("behavior: concurrent reserves and releases net out exactly", async () => {
      await Promise.all([
        ...Array.from({ length: 20 }, () => cache.reserve(key("net"), 5n, 1_000n)),
        ...Array.from({ length: 10 }, () => cache.release(key("net"), 0n)),
      ]);
      expect(await cache.get(key("net"))).toBe("100");
      await Promise.all(Array.from({ length: 20 }, () => cache.release(key("net"), 5n)));
      expect(await cache.get(key("net"))).toBe("0");
    });

    test("error: reserve and release reject a key that holds a non-integer", async () => {
      await cache.set(key("garbage"), "1.5");
      await expect(cache.reserve(key("garbage"), 1n, 10n)).rejects.toThrow();
      await expect(cache.release(key("garbage"), 1n)).rejects.toThrow();
      expect(await cache.get(key("garbage"))).toBe("1.5");
    });

    test("error: negative amounts, non-positive ttls and fractional steps are refused", async () => {
      await expect(cache.reserve(key("neg"), -1n, 10n)).rejects.toThrow(
        "amount must be a non-negative integer, got -1",
      );
      await expect(cache.reserve(key("neg"), 1n, -10n)).rejects.toThrow(
        "limit must be a non-negative integer, got -10",
      );
      await expect(cache.release(key("neg"), -1n)).rejects.toThrow(
        "amount must be a non-negative integer, got -1",
      );
      await expect(cache.set(key("ttl0"), "x", { ttlSeconds: 0 })).rejects.toThrow(
        "ttlSeconds must be a positive number, got 0",
      );
      await expect(cache.increment(key("step"), { by: 1.5 })).rejects.toThrow(
        "increment step must be an integer, got 1.5",
      );
      expect(await cache.get(key("neg"))).toBeNull();
      expect(await cache.get(key("ttl0"))).toBeNull();
      expect(await cache.get(key("step"))).toBeNull();
    });

    test("behavior: ping resolves while the store is reachable", async () => {
      await expect(cache.ping()).resolves.toBeUndefined();
    });
  });
}

describe.skipIf(!redisUp)("Cache adapters: failure modes", () => {
  test("error: createRedisCache on a closed port throws ServiceUnavailableError", async () => {
    await expect(
      createRedisCache({ url: "redis://127.0.0.1:1", connectAttempts: 1 }),
    ).rejects.toMatchObject({
      name: "ServiceUnavailableError",
      shortMessage: "Redis is unreachable",
    });
  });

  test("error: ping throws ServiceUnavailableError soon after Redis goes away", async () => {
    // A private redis-server, so stopping it disturbs nobody else's tests.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    try {
      const url = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 50 && !(await isPortOpen(url, port, 200)); i++) await sleep(100);
      const cache = await createRedisCache({ url });
      await cache.set("k", "v");
      server.kill("SIGKILL");
      await once(server, "exit");
      const started = Date.now();
      await expect(cache.ping()).rejects.toMatchObject({ name: "ServiceUnavailableError" });
      expect(Date.now() - started).toBeLessThan(5_000);
      await cache.close();
    } finally {
      server.kill("SIGKILL");
    }
  });

  test("error: upstash ping with a wrong token throws ServiceUnavailableError", async () => {
    const local = await startUpstashBridge({ redisUrl: LOCAL_REDIS_URL });
    try {
      const cache = createUpstashCache({ url: local.url, token: "wrong" });
      await expect(cache.ping()).rejects.toMatchObject({ name: "ServiceUnavailableError" });
    } finally {
      await local.close();
    }
  });
});
