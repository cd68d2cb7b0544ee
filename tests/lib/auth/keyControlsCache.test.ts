import type { Kysely } from "kysely";
import { afterEach, describe, expect, test } from "vitest";
import { cachedKeyRead, cacheKeyRead, forgetKeyRead } from "../../../lib/auth/keyControlsCache.js";
import { resetConfig } from "../../../lib/config.js";
import type { Database } from "../../../lib/db/database.js";

// The cache only keys on the database instance: any object stands in for one here.
const newDb = () => ({}) as unknown as Kysely<Database>;
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

describe("keyControlsCache", () => {
  test("behavior: a read is reused for KEY_CONTROLS_CACHE_SECONDS, per database, until forgotten", () => {
    const db = newDb();
    cacheKeyRead(db, "hash-a", { id: "key_a" }, 1_000);
    expect(cachedKeyRead(db, "hash-a", 1_000 + 59_999)).toEqual({ id: "key_a" });
    expect(cachedKeyRead(newDb(), "hash-a", 1_000)).toBeUndefined();
    expect(cachedKeyRead(db, "hash-a", 1_000 + 60_000)).toBeUndefined();
    // Expired entries are dropped, not revived.
    expect(cachedKeyRead(db, "hash-a", 1_000)).toBeUndefined();

    cacheKeyRead(db, "hash-b", { id: "key_b" }, 1_000);
    forgetKeyRead(db, "hash-b");
    expect(cachedKeyRead(db, "hash-b", 1_000)).toBeUndefined();
  });

  test("behavior: KEY_CONTROLS_CACHE_SECONDS=0 keeps nothing", () => {
    process.env.KEY_CONTROLS_CACHE_SECONDS = "0";
    resetConfig();
    const db = newDb();
    cacheKeyRead(db, "hash-a", { id: "key_a" }, 1_000);
    expect(cachedKeyRead(db, "hash-a", 1_000)).toBeUndefined();
  });

  test("behavior: at 1,000 keys the oldest read goes first", () => {
    const db = newDb();
    for (let i = 0; i < 1_000; i++) cacheKeyRead(db, `hash-${i}`, { i }, 1_000);
    // Re-reading a key makes it the newest.
    cacheKeyRead(db, "hash-0", { i: 0 }, 1_000);
    cacheKeyRead(db, "hash-new", { i: "new" }, 1_000);
    expect(cachedKeyRead(db, "hash-0", 1_000)).toEqual({ i: 0 });
    expect(cachedKeyRead(db, "hash-1", 1_000)).toBeUndefined();
    expect(cachedKeyRead(db, "hash-new", 1_000)).toEqual({ i: "new" });
  });

  test("error: an out-of-range KEY_CONTROLS_CACHE_SECONDS is refused by the configuration", async () => {
    process.env.KEY_CONTROLS_CACHE_SECONDS = "-1";
    resetConfig();
    const { getConfig } = await import("../../../lib/config.js");
    expect(() => getConfig()).toThrow(/KEY_CONTROLS_CACHE_SECONDS/);
  });
});
