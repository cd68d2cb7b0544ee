import { assertNonNegative, ttlMilliseconds } from "./scripts.js";
import type { Cache, ReserveResult } from "./types.js";

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

/**
 * In-process cache, the embedded default. Single-threaded JavaScript makes each method atomic,
 * which is exactly the guarantee the Redis adapters get from MULTI/Lua.
 */
export function createMemoryCache(): Cache {
  const entries = new Map<string, Entry>();

  const read = (key: string): string | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  };
  const write = (key: string, value: string, ttlSeconds?: number, keepTtl = false) => {
    const previous = entries.get(key);
    // ttlMilliseconds rejects zero/negative ttls, as the Redis adapters do.
    const expiresAt =
      ttlSeconds !== undefined
        ? Date.now() + ttlMilliseconds(ttlSeconds)
        : keepTtl
          ? previous?.expiresAt
          : undefined;
    entries.set(key, { value, expiresAt });
  };

  return {
    kind: "memory",
    async get(key) {
      return read(key);
    },
    async set(key, value, options = {}) {
      if (options.onlyIfAbsent && read(key) !== null) return false;
      write(key, value, options.ttlSeconds);
      return true;
    },
    async delete(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async increment(key, options = {}) {
      const by = options.by ?? 1;
      if (!Number.isSafeInteger(by))
        throw new RangeError(`increment step must be an integer, got ${by}`);
      const current = read(key);
      const next = Number(current ?? "0") + by;
      write(key, String(next), current === null ? options.ttlSeconds : undefined, current !== null);
      return next;
    },
    async reserve(key, amount, limit, options = {}): Promise<ReserveResult> {
      // A negative amount would silently un-spend a budget; the Redis adapters refuse it too.
      assertNonNegative("amount", amount);
      assertNonNegative("limit", limit);
      const current = read(key);
      const total = BigInt(current ?? "0");
      if (total + amount > limit) return { reserved: false, total };
      write(
        key,
        String(total + amount),
        current === null ? options.ttlSeconds : undefined,
        current !== null,
      );
      return { reserved: true, total: total + amount };
    },
    async release(key, amount) {
      assertNonNegative("amount", amount);
      const current = read(key);
      const total = BigInt(current ?? "0");
      const next = total > amount ? total - amount : 0n;
      write(key, String(next), undefined, true);
      return next;
    },
    async runScript() {
      throw new TypeError("The memory cache cannot run Lua scripts; use the Postgres path");
    },
    async ping() {},
    async close() {
      entries.clear();
    },
  };
}
