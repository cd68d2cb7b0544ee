import { afterEach, describe, expect, test, vi } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { coalesceProbe } from "../../../lib/health/coalesceProbe.js";
import type { HealthReport } from "../../../lib/health.js";

/** The probe api/health.ts shares, replaced so its calls can be counted without any backing part. */
const checkHealth = vi.hoisted(() => vi.fn());
vi.mock("../../../lib/health.js", () => ({ checkHealth }));

const report: HealthReport = {
  status: "ok",
  database: "ok",
  cache: "ok",
  world: "ok",
  chain: "ok",
  details: { database: "pglite", cache: "memory", world: "local", network: "devnet" },
};

/** A probe that counts its runs and ends when the test says so. */
function countedProbe<T>(value: T) {
  const ends: (() => void)[] = [];
  const probe = vi.fn(
    () =>
      new Promise<T>((resolve) => {
        ends.push(() => resolve(value));
      }),
  );
  /** Ends every probe under way (they start on a microtask after the call), and lets callers see it. */
  const end = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    for (const finish of ends.splice(0)) finish();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { probe, end };
}

describe("coalesceProbe", () => {
  test("behavior: concurrent calls share one probe and get its answer", async () => {
    const { probe, end } = countedProbe("answer");
    const shared = coalesceProbe(probe, { reuseMs: () => 2000, now: () => 0 });
    const answers = Array.from({ length: 20 }, () => shared());
    await end();
    expect(await Promise.all(answers)).toEqual(Array(20).fill("answer"));
    expect(probe).toHaveBeenCalledTimes(1);
  });

  test("behavior: calls within the TTL of a probe's end reuse it; the first call after probes again", async () => {
    let clock = 1_000;
    const { probe, end } = countedProbe("answer");
    const shared = coalesceProbe(probe, { reuseMs: () => 2000, now: () => clock });
    const first = shared();
    clock += 500; // the probe takes 500 ms: the TTL runs from its end, not its start
    await end();
    await first;
    for (const at of [1_500, 2_000, 3_499]) {
      clock = at;
      expect(await shared()).toBe("answer");
    }
    expect(probe).toHaveBeenCalledTimes(1);

    clock = 3_500;
    const again = [shared(), shared(), shared()];
    await end();
    await Promise.all(again);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  test("args: a TTL of 0 reuses nothing, yet concurrent calls still share a probe", async () => {
    const { probe, end } = countedProbe("answer");
    const shared = coalesceProbe(probe, { reuseMs: () => 0, now: () => 0 });
    const together = [shared(), shared()];
    await end();
    await Promise.all(together);
    expect(probe).toHaveBeenCalledTimes(1);
    const alone = shared();
    await end();
    await alone;
    expect(probe).toHaveBeenCalledTimes(2);
  });

  test("args: an answer `reusable` refuses is shared while its probe runs, then probed again", async () => {
    const { probe, end } = countedProbe("degraded");
    const shared = coalesceProbe(probe, {
      reuseMs: () => 2000,
      reusable: (answer) => answer === "ok",
      now: () => 0,
    });
    const together = [shared(), shared()];
    await end();
    expect(await Promise.all(together)).toEqual(["degraded", "degraded"]);
    const next = shared();
    await end();
    await next;
    expect(probe).toHaveBeenCalledTimes(2);
  });

  test("error: a probe that throws fails its waiting callers and is not reused", async () => {
    let fail = true;
    const probe = vi.fn(async () => {
      if (fail) throw new Error("rpc down");
      return "answer";
    });
    const shared = coalesceProbe(probe, { reuseMs: () => 2000, now: () => 0 });
    const waiting = [shared(), shared()];
    for (const call of waiting) await expect(call).rejects.toThrow("rpc down");
    expect(probe).toHaveBeenCalledTimes(1);
    fail = false;
    expect(await shared()).toBe("answer");
    expect(probe).toHaveBeenCalledTimes(2);
  });

  test("error: a probe that throws before it awaits does not leave the next call stuck", async () => {
    const probe = vi.fn((): Promise<string> => {
      throw new Error("sync failure");
    });
    const shared = coalesceProbe(probe, { reuseMs: () => 2000, now: () => 0 });
    await expect(shared()).rejects.toThrow("sync failure");
    await expect(shared()).rejects.toThrow("sync failure");
    expect(probe).toHaveBeenCalledTimes(2);
  });
});

describe("HEALTH_CACHE_MS", () => {
  test("args: 2000 by default, 0 allowed, negative or over a minute refused", () => {
    expect(parseConfig({}).HEALTH_CACHE_MS).toBe(2000);
    expect(parseConfig({ HEALTH_CACHE_MS: "0" }).HEALTH_CACHE_MS).toBe(0);
    expect(() => parseConfig({ HEALTH_CACHE_MS: "-1" })).toThrow();
    expect(() => parseConfig({ HEALTH_CACHE_MS: "60001" })).toThrow();
  });
});

describe("GET /api/health", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("behavior: concurrent and repeated calls within 2 s probe once; a call after probes again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    checkHealth.mockImplementation(async () => report);
    const { GET } = await import("../../../api/health.js");
    const call = () => GET(new Request("http://localhost/api/health"));

    const concurrent = await Promise.all(Array.from({ length: 10 }, call));
    for (const response of concurrent) {
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual(report);
    }
    expect(checkHealth).toHaveBeenCalledTimes(1);

    vi.setSystemTime(new Date("2026-01-01T00:00:01.999Z"));
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200);
    expect(checkHealth).toHaveBeenCalledTimes(1);

    // A degraded report answers 503 and is shared only by calls made while its probe runs: the
    // next call probes again, so a host that recovers answers 200 at once.
    checkHealth.mockImplementation(async () => ({ ...report, status: "degraded", chain: "x" }));
    vi.setSystemTime(new Date("2026-01-01T00:00:02.001Z"));
    const together = await Promise.all([call(), call()]);
    expect(together.map((response) => response.status)).toEqual([503, 503]);
    expect(checkHealth).toHaveBeenCalledTimes(2);
    checkHealth.mockImplementation(async () => report);
    expect((await call()).status).toBe(200);
    expect(checkHealth).toHaveBeenCalledTimes(3);
  });
});
