import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeCache } from "../../../lib/cache/index.js";
import { resetConfig } from "../../../lib/config.js";
import { endpoint } from "../../../lib/http/index.js";

/**
 * The per-IP limit of public routes goes through the endpoint() factory's rateLimit (a
 * "public:<group>" bucket): PUBLIC_RATE_LIMIT_PER_MINUTE per IP, counted before any signature
 * check, so an anonymous caller cannot make the server verify HMACs or settle payments unbounded.
 */
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, {
    WEBHOOK_SECRET: "whsec_public_limit_test",
    PUBLIC_RATE_LIMIT_PER_MINUTE: "2",
    RATE_LIMIT_PER_MINUTE: "1000",
  });
  for (const name of ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL"])
    delete process.env[name];
  resetConfig();
  await closeCache();
});

afterAll(async () => {
  await closeCache();
  process.env = saved;
  resetConfig();
});

function from(ip: string, method = "GET", headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/public-thing", {
    method,
    headers: { "x-real-ip": ip, ...headers },
    ...(method === "POST" ? { body: "{}" } : {}),
  });
}

/**
 * Windows are fixed and aligned to the minute (as @upstash/ratelimit's fixedWindow): a sequence
 * straddling a boundary starts a fresh count. Start each sequence well inside a window.
 */
async function awayFromWindowEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
}

const base = { operationId: "publicThing", summary: "A public thing", tags: ["test"] } as const;

describe("endpoint() public rate limit", () => {
  test("behavior: a public route answers 429 past PUBLIC_RATE_LIMIT_PER_MINUTE per IP; other IPs are unaffected", async () => {
    const open = endpoint(
      {
        ...base,
        route: "/api/public-thing",
        method: "GET",
        auth: false,
        rateLimit: "public:demo",
        success: { status: 200, description: "ok" },
      },
      () => ({ ok: true }),
    );
    const statuses: number[] = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 3; i++) statuses.push((await open(from("10.20.0.1"))).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await open(from("10.20.0.1"));
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await open(from("10.20.0.2"))).status).toBe(200);
  });

  test("behavior: a webhook route counts the IP before verifying the signature (401, 401, then 429)", async () => {
    const hook = endpoint(
      {
        ...base,
        operationId: "publicHook",
        route: "/api/public-thing",
        method: "POST",
        auth: "webhook",
        rateLimit: "public:webhooks",
        success: { status: 200, description: "ok" },
      },
      () => ({ ok: true }),
    );
    const statuses: number[] = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await hook(from("10.20.1.1", "POST", { "content-type": "application/json" }))).status,
      );
    expect(statuses).toEqual([401, 401, 429]);
  });

  test("behavior: each public group has its own counter; the command limit is not the public one", async () => {
    const demo = endpoint(
      {
        ...base,
        operationId: "publicDemo",
        route: "/api/public-thing",
        method: "GET",
        auth: false,
        rateLimit: "public:demo-group-b",
        success: { status: 200, description: "ok" },
      },
      () => ({ ok: true }),
    );
    const facilitator = endpoint(
      {
        ...base,
        operationId: "publicFacilitator",
        route: "/api/public-thing",
        method: "GET",
        auth: false,
        rateLimit: "public:facilitator-group-b",
        success: { status: 200, description: "ok" },
      },
      () => ({ ok: true }),
    );
    const ip = "10.20.2.1";
    await awayFromWindowEdge();
    expect([(await demo(from(ip))).status, (await demo(from(ip))).status]).toEqual([200, 200]);
    expect((await demo(from(ip))).status).toBe(429);
    expect((await facilitator(from(ip))).status).toBe(200);
  });
});

describe("the public routes declare it", () => {
  test("behavior: facilitator, webhooks and demo resources are limited per IP before auth", async () => {
    process.env.PAYGENT_NETWORK = "devnet";
    resetConfig();
    const { GET: marketData } = await import("../../../api/demo/market-data.js");
    const { POST: paymentHook } = await import("../../../api/webhooks/payment.js");
    const { GET: supported } = await import("../../../api/facilitator/[action].js");
    const ip = "10.20.3.1";
    const hookRequest = () =>
      new Request("http://localhost/api/webhooks/payment", {
        method: "POST",
        headers: { "x-real-ip": ip, "content-type": "application/json" },
        body: "{}",
      });
    const hookStatuses: number[] = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 3; i++) hookStatuses.push((await paymentHook(hookRequest())).status);
    expect(hookStatuses).toEqual([401, 401, 429]);

    const facilitatorRequest = () =>
      new Request("http://localhost/api/facilitator/nothing-here", {
        headers: { "x-real-ip": ip },
      });
    const facilitatorStatuses: number[] = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 3; i++)
      facilitatorStatuses.push((await supported(facilitatorRequest())).status);
    // Unknown action: 4xx from validation while under the limit, then the IP's limit.
    expect(facilitatorStatuses[2]).toBe(429);
    expect(facilitatorStatuses[0]).toBeGreaterThanOrEqual(400);
    expect(facilitatorStatuses[0]).toBeLessThan(429);

    // The paid demo resources declare the same per-IP bucket (answering them needs a facilitator).
    const { GET: chainStats } = await import("../../../api/demo/chain-stats.js");
    expect(marketData.declaration.rateLimit).toBe("public:demo");
    expect(chainStats.declaration.rateLimit).toBe("public:demo");
  });
});
