import { describe, expect, test } from "vitest";
import { derivedId, newId } from "../../lib/ids.js";

describe("newId", () => {
  test("behavior: <prefix>_ + 26 Crockford base32 characters, sortable by creation time", () => {
    const first = newId("run");
    expect(first).toMatch(/^run_[0-9a-hjkmnp-tv-z]{26}$/);
    const later = newId("run");
    expect(later.slice(0, 14) >= first.slice(0, 14)).toBe(true);
  });

  test("behavior: ids drawn across many refills of the random pool never repeat", () => {
    // 4 KiB pool, 16 bytes an id: 20,000 ids refill it ~78 times.
    const ids = new Set(Array.from({ length: 20_000 }, () => newId("x")));
    expect(ids.size).toBe(20_000);
    // The random part uses the whole alphabet, not a fixed or repeating slice of the pool.
    const randomParts = new Set([...ids].map((id) => id.slice(-16)));
    expect(randomParts.size).toBe(20_000);
    const seen = new Set([...ids].flatMap((id) => [...id.slice(-16)]));
    expect(seen.size).toBe(32);
  });

  test("behavior: derivedId is the same for the same seed", () => {
    expect(derivedId("sub", "a")).toBe(derivedId("sub", "a"));
    expect(derivedId("sub", "a")).not.toBe(derivedId("sub", "b"));
  });
});
