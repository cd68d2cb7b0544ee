import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMemoryCache } from "../../../lib/cache/memory.js";
import { createRedisCache } from "../../../lib/cache/redis.js";
import type { Cache } from "../../../lib/cache/types.js";
import { type ClientError, ServiceUnavailableError } from "../../../lib/errors/index.js";
import { signWebhook, verifyWebhook, webhookHeaders } from "../../../lib/security/verifyWebhook.js";

const secret = "whsec_test";
const url = "http://localhost/api/webhooks/test";
let counter = 0;
const freshId = () => `evt_${process.pid}_${Date.now()}_${counter++}`;

function delivery(
  body: string,
  overrides: { timestamp?: number; eventId?: string; signature?: string; secret?: string } = {},
): Request {
  const headers = webhookHeaders({
    secret: overrides.secret ?? secret,
    body,
    eventId: overrides.eventId ?? freshId(),
    timestamp: overrides.timestamp,
  });
  if (overrides.signature !== undefined) headers["x-paygent-signature"] = overrides.signature;
  return new Request(url, { method: "POST", headers, body });
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: string; code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const e = error as Error & { code?: string; shortMessage?: string };
  return { name: e.name, code: e.code, message: e.shortMessage ?? e.message };
}

describe("signWebhook", () => {
  test("args: HMAC-SHA256 hex over <timestamp>.<body> (vector from openssl dgst -hmac)", () => {
    expect(signWebhook(secret, '{"event":"approval.decided"}', 1700000000)).toBe(
      "v1=c71efd87453a6d133497677d76694548ed4da5f2a3bacbfa13543b6c94fe6461",
    );
  });
});

for (const kind of ["memory", "redis"] as const) {
  describe(`verifyWebhook (${kind} replay store)`, () => {
    let cache: Cache;
    beforeAll(async () => {
      cache =
        kind === "memory"
          ? createMemoryCache()
          : await createRedisCache({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
    });
    afterAll(async () => {
      await cache.close();
    });

    test("behavior: a correctly signed, fresh delivery yields its event id and parsed body", async () => {
      const eventId = freshId();
      const result = await verifyWebhook(
        delivery('{"decision":"approve","amount":"100"}', { eventId }),
        {
          secret,
          cache,
        },
      );
      expect(result).toEqual({
        eventId,
        body: { decision: "approve", amount: "100" },
        forget: expect.any(Function),
      });
    });

    test("behavior: a second valid signature in the header (secret rotation) is accepted", async () => {
      const body = '{"n":1}';
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = `${signWebhook("old-secret", body, timestamp)}, ${signWebhook(secret, body, timestamp)}`;
      const result = await verifyWebhook(delivery(body, { timestamp, signature }), {
        secret,
        cache,
      });
      expect(result.body).toEqual({ n: 1 });
    });

    test("error: a tampered body is rejected as unauthorized", async () => {
      const body = '{"amount":"1"}';
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = signWebhook(secret, body, timestamp);
      const request = new Request(url, {
        method: "POST",
        headers: webhookHeaders({ secret, body, eventId: freshId(), timestamp }),
        body: '{"amount":"1000000"}',
      });
      request.headers.set("x-paygent-signature", signature);
      expect(await rejection(verifyWebhook(request, { secret, cache }))).toMatchInlineSnapshot(`
        {
          "code": "unauthorized",
          "message": "Webhook signature does not match",
          "name": "ClientError",
        }
      `);
    });

    test("error: a delivery signed with another secret is rejected", async () => {
      const error = await rejection(
        verifyWebhook(delivery("{}", { secret: "attacker" }), { secret, cache }),
      );
      expect(error.code).toBe("unauthorized");
    });

    test("error: moving the timestamp header breaks the signature (the timestamp is signed)", async () => {
      const body = "{}";
      const old = Math.floor(Date.now() / 1000) - 10;
      const request = delivery(body, { timestamp: old });
      request.headers.set("x-paygent-timestamp", String(old + 5));
      expect((await rejection(verifyWebhook(request, { secret, cache }))).message).toBe(
        "Webhook signature does not match",
      );
    });

    test("error: stale and future timestamps outside the tolerance are rejected", async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const timestamp of [now - 301, now + 301]) {
        const error = await rejection(
          verifyWebhook(delivery("{}", { timestamp }), { secret, cache }),
        );
        expect(error).toEqual({
          name: "ClientError",
          code: "unauthorized",
          message: "Webhook timestamp is outside the accepted window",
        });
      }
      // Inside a custom tolerance the same age passes.
      const ok = await verifyWebhook(delivery("{}", { timestamp: now - 301 }), {
        secret,
        cache,
        toleranceSeconds: 600,
      });
      expect(ok.body).toEqual({});
    });

    test("error: a replayed event id is rejected even when re-signed with a new body", async () => {
      const eventId = freshId();
      await verifyWebhook(delivery('{"a":1}', { eventId }), { secret, cache });
      const error = await rejection(
        verifyWebhook(delivery('{"a":2}', { eventId }), { secret, cache }),
      );
      expect(error.code).toBe("unauthorized");
      expect(error.message).toBe(`Webhook event ${eventId} was already processed (replay)`);
    });

    test("error: a captured delivery replayed under a fresh event id is rejected", async () => {
      const body = '{"a":3}';
      const timestamp = Math.floor(Date.now() / 1000);
      await verifyWebhook(delivery(body, { timestamp }), { secret, cache });
      const error = await rejection(
        verifyWebhook(delivery(body, { timestamp }), { secret, cache }),
      );
      expect(error.message).toBe("Webhook delivery was already processed (replay)");
    });

    test("behavior: forget() lets the sender's retry through after a failed processing", async () => {
      const body = '{"retry":true}';
      const eventId = freshId();
      const timestamp = Math.floor(Date.now() / 1000);
      const first = await verifyWebhook(delivery(body, { eventId, timestamp }), { secret, cache });
      await first.forget();
      const retry = await verifyWebhook(delivery(body, { eventId, timestamp }), { secret, cache });
      expect(retry.body).toEqual({ retry: true });
      const error = await rejection(
        verifyWebhook(delivery(body, { eventId, timestamp }), { secret, cache }),
      );
      expect(error.code).toBe("unauthorized");
    });

    test("behavior: of 10 concurrent copies of one delivery exactly one is accepted", async () => {
      const body = '{"race":true}';
      const eventId = freshId();
      const timestamp = Math.floor(Date.now() / 1000);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          verifyWebhook(delivery(body, { eventId, timestamp }), { secret, cache }),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect((r.reason as ClientError).code).toBe("unauthorized");
      }
    });
  });
}

describe("verifyWebhook input checks", () => {
  const cache = createMemoryCache();

  test("error: missing or malformed headers are unauthorized", async () => {
    const cases: [string, (headers: Headers) => void][] = [
      ["timestamp", (h) => h.delete("x-paygent-timestamp")],
      ["timestamp", (h) => h.set("x-paygent-timestamp", "12.5")],
      ["event id", (h) => h.delete("x-paygent-event-id")],
      ["event id", (h) => h.set("x-paygent-event-id", "x".repeat(201))],
      ["signature", (h) => h.delete("x-paygent-signature")],
      ["signature", (h) => h.set("x-paygent-signature", "v1=zz")],
      ["signature", (h) => h.set("x-paygent-signature", `v1=${"a".repeat(2000)}`)],
    ];
    for (const [what, mutate] of cases) {
      const request = delivery("{}");
      mutate(request.headers);
      const error = await rejection(verifyWebhook(request, { secret, cache }));
      expect(error.code, what).toBe("unauthorized");
      expect(error.message, what).toMatch(/Missing or malformed x-paygent-/);
    }
  });

  test("error: a signed body that is not JSON is a 400 and does not burn the event id", async () => {
    const eventId = freshId();
    const error = await rejection(
      verifyWebhook(delivery("not json", { eventId }), { secret, cache }),
    );
    expect(error.code).toBe("bad_request");
    const ok = await verifyWebhook(delivery("[1]", { eventId }), { secret, cache });
    expect(ok.body).toEqual([1]);
  });

  test("error: a body over the limit is refused before it is hashed", async () => {
    const error = await rejection(
      verifyWebhook(delivery(JSON.stringify("x".repeat(100))), { secret, cache, maxBytes: 50 }),
    );
    expect(error.code).toBe("payload_too_large");
  });

  test("error: a body with a content-encoding other than identity is 415 and does not burn the event id", async () => {
    const eventId = freshId();
    const body = JSON.stringify({ ok: true });
    for (const encoding of ["gzip", "br", "identity, gzip"]) {
      const request = delivery(body, { eventId });
      request.headers.set("content-encoding", encoding);
      const error = await rejection(verifyWebhook(request, { secret, cache }));
      expect(error.code, encoding).toBe("unsupported_media_type");
      expect(error.message).toBe(
        `content-encoding ${encoding} is not accepted; send the body unencoded`,
      );
    }
    // The sender's retry, unencoded, goes through under the same event id.
    const identity = delivery(body, { eventId });
    identity.headers.set("content-encoding", "identity");
    expect((await verifyWebhook(identity, { secret, cache })).body).toEqual({ ok: true });
  });

  test("error: no configured secret means no delivery is accepted (503)", async () => {
    const error = await verifyWebhook(delivery("{}"), { secret: undefined, cache }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
  });
});

describe("verifyWebhook with its replay store down", () => {
  test("error: fails closed with 503 (ServiceUnavailableError), never accepts an unchecked delivery", async () => {
    const cache = await createRedisCache({
      url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    });
    await cache.close();
    const error = await verifyWebhook(delivery('{"nonce":"x"}'), { secret, cache }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).kind).toBe("transient");
  });
});
