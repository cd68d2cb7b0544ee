import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import { createUpstashCache } from "../../../lib/cache/upstash.js";
import { PolicyDocument } from "../../../lib/policy/schemas.js";
import { finishReservation } from "../../../lib/policy/windows/finishReservation.js";
import {
  type ReserveWindowsParameters,
  reserveWindows,
} from "../../../lib/policy/windows/reserveWindows.js";
import { windowKeys } from "../../../lib/policy/windows/scripts.js";
import { windowSpecs } from "../../../lib/policy/windows/windowSpecs.js";
import { startUpstashBridge, type UpstashBridge } from "../../bridges/upstashBridge.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { LOCAL_REDIS_URL, requireService } from "../../helpers/services.js";

/**
 * Rolling windows against real Postgres (row lock, memory cache), real Redis (Lua) and the Upstash
 * REST client through the bridge to the same Redis, plus PGlite for the embedded default.
 */

const redisUp = await requireService("Redis", LOCAL_REDIS_URL, 6379);
let pg: TestDb;
let pglite: TestDb;
let bridge: UpstashBridge | undefined;
const caches: Record<string, Cache> = {};
const subjects: string[] = [];

beforeAll(async () => {
  pg = await createTestDb("pg");
  pglite = await createTestDb("pglite");
  caches.memory = createMemoryCache();
  if (redisUp) {
    caches.redis = await createRedisCache({ url: LOCAL_REDIS_URL });
    bridge = await startUpstashBridge({ redisUrl: LOCAL_REDIS_URL });
    caches.upstash = createUpstashCache({ url: bridge.url, token: bridge.token });
  }
}, 60_000);

afterAll(async () => {
  if (caches.redis) {
    const keys = subjects.flatMap((subject) =>
      ["hour", "day", "week"].flatMap((period) =>
        ["USD", "USDC", "CRO"].flatMap((unit) => windowKeys(subject, period, unit)),
      ),
    );
    await caches.redis.delete(...keys);
  }
  await caches.redis?.close();
  await caches.upstash?.close();
  await bridge?.close();
  await pg?.dispose();
  await pglite?.dispose();
});

function newSubject(): string {
  const subject = `key_test_${randomUUID().slice(0, 12)}`;
  subjects.push(subject);
  return subject;
}

const specs = (windows: unknown[]) =>
  windowSpecs("devnet", PolicyDocument.parse({ allowedActions: ["pay"], windows }));

const backends = [
  { name: "postgres", db: () => pg, cache: () => caches.memory!, needsRedis: false },
  { name: "pglite", db: () => pglite, cache: () => caches.memory!, needsRedis: false },
  { name: "redis", db: () => pg, cache: () => caches.redis!, needsRedis: true },
  { name: "upstash", db: () => pg, cache: () => caches.upstash!, needsRedis: true },
] as const;

describe.each(backends)("reserveWindows ($name)", (backend) => {
  const skip = backend.needsRedis && !redisUp;
  const base = (
    subject: string,
    windows: unknown[],
  ): Omit<ReserveWindowsParameters, "reservationId"> => ({
    db: backend.db().db,
    cache: backend.cache(),
    subject,
    token: "USDC",
    amount: 1_000_000n,
    usdMicros: 1_000_000n,
    charges: { USDC: 1_000_000n, USD: 1_000_000n },
    windows: specs(windows),
  });

  test.skipIf(skip)(
    "behavior: a window of 3 payments per hour admits exactly 3 of 20 concurrent reservations",
    async () => {
      const subject = newSubject();
      const parameters = base(subject, [{ period: "hour", maxCount: 3 }]);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          reserveWindows({ ...parameters, reservationId: `${subject}:${i}` }),
        ),
      );
      const admitted = results.filter((r) => r.reserved);
      expect(admitted).toHaveLength(3);
      for (const refused of results.filter((r) => !r.reserved)) {
        expect(refused).toMatchObject({
          reserved: false,
          count: 3,
          window: { index: 0, maxCount: 3 },
        });
      }
      const rows = await backend
        .db()
        .db.selectFrom("policy_reservations")
        .select("id")
        .where("subject", "=", subject)
        .execute();
      expect(rows).toHaveLength(3);
    },
  );

  test.skipIf(skip)(
    "behavior: amounts are exact under concurrency (10 USD per day, 1.5 USD each → 6 of 12)",
    async () => {
      const subject = newSubject();
      const parameters = {
        ...base(subject, [{ period: "day", amount: "10", token: "USD" }]),
        charges: { USDC: 1_500_000n, USD: 1_500_000n },
        amount: 1_500_000n,
        usdMicros: 1_500_000n,
      };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          reserveWindows({ ...parameters, reservationId: `${subject}:${i}` }),
        ),
      );
      expect(results.filter((r) => r.reserved)).toHaveLength(6);
      const usage = results.flatMap((r) => (r.reserved ? r.usage : []));
      expect(usage.map((u) => u.total).sort((a, b) => (a < b ? -1 : 1))).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => BigInt(n) * 1_500_000n),
      );
    },
  );

  test.skipIf(skip)(
    "behavior: the same reservation id reserves once, even concurrently",
    async () => {
      const subject = newSubject();
      const parameters = {
        ...base(subject, [{ period: "hour", maxCount: 2 }]),
        reservationId: `${subject}:0`,
      };
      const results = await Promise.all(
        Array.from({ length: 6 }, () => reserveWindows(parameters)),
      );
      expect(results.every((r) => r.reserved)).toBe(true);
      expect(results.filter((r) => r.reserved && !r.replayed)).toHaveLength(1);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:1` })).reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:2` })).reserved,
      ).toBe(false);
    },
  );

  test.skipIf(skip || !backend.needsRedis)(
    "behavior: a call that gets the claim just after another recorded the same id replays it, and the window keeps that charge",
    async () => {
      // The interleaving the claim alone let through: both calls find no row; the first reserves,
      // writes its row and lets go of the claim; only then does the second ask for it.
      const subject = newSubject();
      const parameters = {
        ...base(subject, [{ period: "hour", maxCount: 2 }]),
        reservationId: `${subject}:0`,
      };
      const cache = claimAfterRelease(backend.cache());
      const results = await Promise.all([
        reserveWindows({ ...parameters, cache }),
        reserveWindows({ ...parameters, cache }),
      ]);
      expect(results.map((r) => r.reserved && r.replayed).sort()).toEqual([false, true]);
      // The first reservation still counts: one more fits in the window of 2, then none.
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:1` })).reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:2` })).reserved,
      ).toBe(false);
    },
  );

  test.skipIf(skip)(
    "behavior: the window rolls: reservations older than the period stop counting",
    async () => {
      const subject = newSubject();
      const parameters = base(subject, [{ period: "hour", maxCount: 2 }]);
      const start = new Date("2026-11-30T10:00:00.000Z");
      const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:a`, now: at(0) }))
          .reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:b`, now: at(30) }))
          .reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:c`, now: at(59) }))
          .reserved,
      ).toBe(false);
      // At 60 minutes the first has left the window (the window is (now − 1 h, now]).
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:d`, now: at(60) }))
          .reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:e`, now: at(89) }))
          .reserved,
      ).toBe(false);
    },
  );

  test.skipIf(skip)(
    "behavior: release gives the window back; settle at a lower amount frees the difference",
    async () => {
      const subject = newSubject();
      const parameters = base(subject, [{ period: "day", amount: "2", token: "USDC" }]);
      const cache = backend.cache();
      const db = backend.db().db;
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:0` })).reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:1` })).reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:2` })).reserved,
      ).toBe(false);
      await finishReservation({ db, cache, reservationId: `${subject}:0`, outcome: "release" });
      // Idempotent: a second release changes nothing.
      await finishReservation({ db, cache, reservationId: `${subject}:0`, outcome: "release" });
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:3` })).reserved,
      ).toBe(true);
      const settled = await finishReservation({
        db,
        cache,
        reservationId: `${subject}:1`,
        outcome: "settle",
        actualAmount: 400_000n,
      });
      expect(settled).toMatchObject({
        status: "settled",
        amount: 400_000n,
        usdMicros: 400_000n,
        charges: { USDC: 400_000n, USD: 400_000n },
      });
      // 0.4 + 1 used: 0.6 USDC fits, 0.600001 does not.
      const small = {
        ...parameters,
        amount: 600_001n,
        usdMicros: 600_001n,
        charges: { USDC: 600_001n, USD: 600_001n },
      };
      expect((await reserveWindows({ ...small, reservationId: `${subject}:4` })).reserved).toBe(
        false,
      );
      const exact = {
        ...parameters,
        amount: 600_000n,
        usdMicros: 600_000n,
        charges: { USDC: 600_000n, USD: 600_000n },
      };
      expect((await reserveWindows({ ...exact, reservationId: `${subject}:5` })).reserved).toBe(
        true,
      );
      await expect(
        finishReservation({ db, cache, reservationId: `${subject}:0`, outcome: "settle" }),
      ).rejects.toMatchObject({ kind: "conflict" });
    },
  );
});

describe("reserveWindows on Redis after the counters are lost", () => {
  test.skipIf(!redisUp)(
    "behavior: a flushed window is re-seeded from the ledger and still refuses the 4th",
    async () => {
      const subject = newSubject();
      const cache = caches.redis!;
      const parameters = {
        db: pg.db,
        cache,
        subject,
        token: "USDC",
        amount: 1n,
        usdMicros: 1n,
        charges: { USDC: 1n, USD: 1n },
        windows: specs([{ period: "hour", maxCount: 3 }]),
      };
      for (const i of [0, 1, 2])
        await reserveWindows({ ...parameters, reservationId: `${subject}:${i}` });
      await cache.delete(...windowKeys(subject, "hour", "USD"));
      expect(await reserveWindows({ ...parameters, reservationId: `${subject}:3` })).toMatchObject({
        reserved: false,
        count: 3,
      });
      // Released in the ledger while Redis was empty: the seed does not count it.
      await finishReservation({
        db: pg.db,
        cache,
        reservationId: `${subject}:0`,
        outcome: "release",
      });
      await cache.delete(...windowKeys(subject, "hour", "USD"));
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:4` })).reserved,
      ).toBe(true);
      expect(
        (await reserveWindows({ ...parameters, reservationId: `${subject}:5` })).reserved,
      ).toBe(false);
    },
  );
});

/**
 * The cache as it is, except that a second reservation claim is only asked for once the first
 * claim has been let go of (deleted): a fixed order for the race between two calls on one id.
 */
function claimAfterRelease(cache: Cache): Cache {
  let claims = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const isClaim = (key: string) => key.startsWith("policy:claim:");
  return {
    kind: cache.kind,
    get: (key) => cache.get(key),
    async set(key, value, options) {
      if (isClaim(key) && options?.onlyIfAbsent && claims++ > 0) await released;
      return cache.set(key, value, options);
    },
    async delete(...keys) {
      await cache.delete(...keys);
      if (keys.some(isClaim)) release();
    },
    increment: (key, options) => cache.increment(key, options),
    reserve: (key, amount, limit, options) => cache.reserve(key, amount, limit, options),
    release: (key, amount) => cache.release(key, amount),
    runScript: (source, keys, args) => cache.runScript(source, keys, args),
    ping: () => cache.ping(),
    close: () => cache.close(),
  };
}
