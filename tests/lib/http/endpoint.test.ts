import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { createApiKey } from "../../../lib/auth/apiKeys.js";
import { BaseError } from "../../../lib/errors/index.js";
import { endpoint, json } from "../../../lib/http/index.js";
import { ServiceNotFoundError } from "../../../lib/registry/errors.js";
import { webhookHeaders } from "../../../lib/security/verifyWebhook.js";
import { useScratchProcessDb } from "../../helpers/useScratchProcessDb.js";

const keys = { admin: "", sessions: "" };
const secrets = { WEBHOOK_SECRET: "whsec_endpoint_test", CRON_SECRET: "cron_endpoint_test" };
// authenticate() uses the process database; the rate limiter the in-memory cache.
const testDb = useScratchProcessDb({
  env: { ...secrets, RATE_LIMIT_PER_MINUTE: "3" },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});

beforeAll(async () => {
  keys.admin = (await createApiKey(testDb.db, { name: "a", scope: "admin" })).key;
  keys.sessions = (await createApiKey(testDb.db, { name: "s", scope: "sessions" })).key;
});

let ipCounter = 0;
/** A request from its own IP, so rate-limit counters never leak between tests. */
function call(
  method: string,
  url: string,
  options: { key?: string; body?: string; headers?: Record<string, string>; ip?: string } = {},
): Request {
  const headers: Record<string, string> = {
    "x-real-ip": options.ip ?? `10.9.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}`,
    ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    ...options.headers,
  };
  return new Request(`http://localhost${url}`, { method, headers, body: options.body });
}

const base = { operationId: "thing", summary: "A thing", tags: ["test"] } as const;

const echo = endpoint(
  {
    ...base,
    route: "/api/things/[id]",
    method: "POST",
    auth: "any",
    params: { id: z.string().regex(/^t_\d+$/, "must be a thing id") },
    query: z.object({ verbose: z.enum(["true", "false"]).default("false") }),
    body: { name: "Thing", schema: z.object({ n: z.number().int() }).strict() },
    success: { status: 201, description: "Created", headers: { "cache-control": "no-store" } },
  },
  ({ principal, params, query, body }) => ({
    keyId: principal.keyId,
    id: params.id,
    verbose: query.verbose,
    n: body.n,
  }),
);

describe("endpoint", () => {
  test("behavior: guard → parse params, query, body → handler value as JSON with the success status", async () => {
    const response = await echo(
      call("POST", "/api/things/t_7?verbose=true", { key: keys.admin, body: '{"n":3}' }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ id: "t_7", verbose: "true", n: 3 });
  });

  test("behavior: the handler carries its declaration, route written once", () => {
    expect(echo.declaration.route).toBe("/api/things/[id]");
    expect(echo.declaration.method).toBe("POST");
    expect(echo.declaration.body?.name).toBe("Thing");
  });

  test("error: bad path, query and body answer 400 naming the field; no key answers 401", async () => {
    const badPath = await echo(call("POST", "/api/things/x", { key: keys.admin, body: '{"n":1}' }));
    expect(badPath.status).toBe(400);
    expect(await badPath.json()).toMatchObject({
      error: { code: "validation_failed", message: "Invalid path: id — must be a thing id" },
    });
    const badQuery = await echo(
      call("POST", "/api/things/t_1?verbose=maybe", { key: keys.admin, body: '{"n":1}' }),
    );
    expect(badQuery.status).toBe(400);
    expect((await badQuery.json()).error.message).toMatch(/^Invalid query: verbose/);
    const badBody = await echo(
      call("POST", "/api/things/t_1", { key: keys.admin, body: '{"n":1.5}' }),
    );
    expect(badBody.status).toBe(400);
    expect((await badBody.json()).error.message).toMatch(/^Invalid body: n/);
    // A word where a number belongs is named as such, not as zod's "received NaN".
    const notNumber = await echo(
      call("POST", "/api/things/t_1", { key: keys.admin, body: '{"n":"three"}' }),
    );
    expect((await notNumber.json()).error.message).toBe("Invalid body: n — must be a number");
    expect((await echo(call("POST", "/api/things/t_1", { body: '{"n":1}' }))).status).toBe(401);
  });

  test("behavior: a Response from the handler is answered as is; errors map by kind", async () => {
    let failure: unknown;
    const handler = endpoint(
      {
        ...base,
        route: "/api/plain",
        method: "GET",
        auth: false,
        success: { status: 200, description: "" },
      },
      () => {
        if (failure) throw failure;
        return json({ raw: true }, { status: 299 });
      },
    );
    expect((await handler(call("GET", "/api/plain"))).status).toBe(299);
    failure = new ServiceNotFoundError("svc_1");
    expect((await handler(call("GET", "/api/plain"))).status).toBe(404);
    failure = new BaseError("RPC down", { kind: "transient" });
    const transient = await handler(call("GET", "/api/plain"));
    expect(transient.status).toBe(503);
    expect(transient.headers.get("retry-after")).toBe("5");
  });

  test("behavior: roles — a single role or a list; other keys get 403", async () => {
    for (const auth of ["admin", ["admin"]] as const) {
      const handler = endpoint(
        {
          ...base,
          route: "/api/admin",
          method: "GET",
          auth,
          success: { status: 200, description: "" },
        },
        ({ principal }) => ({ scope: principal.scope }),
      );
      expect((await handler(call("GET", "/api/admin", { key: keys.admin }))).status).toBe(200);
      const refused = await handler(call("GET", "/api/admin", { key: keys.sessions }));
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.code).toBe("forbidden");
    }
  });

  test("behavior: rateLimit limits a public route per IP", async () => {
    const handler = endpoint(
      {
        ...base,
        route: "/api/public",
        method: "GET",
        auth: false,
        rateLimit: "command",
        success: { status: 200, description: "" },
      },
      () => ({ ok: true }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await handler(call("GET", "/api/public", { ip: "10.20.0.1" }))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another IP has its own window.
    expect((await handler(call("GET", "/api/public", { ip: "10.20.0.2" }))).status).toBe(200);
  });

  test("behavior: rateLimit counts per IP before auth, so guessing keys is throttled too", async () => {
    const handler = endpoint(
      {
        ...base,
        route: "/api/keyed",
        method: "GET",
        auth: "any",
        rateLimit: "payment",
        success: { status: 200, description: "" },
      },
      () => ({ ok: true }),
    );
    const ip = "10.21.0.1";
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await handler(call("GET", "/api/keyed", { key: `pgk_wrong_${i}_guess`, ip }))).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test("behavior: auth cron needs the CRON_SECRET", async () => {
    const handler = endpoint(
      {
        ...base,
        route: "/api/cron/x",
        method: "GET",
        auth: "cron",
        success: { status: 200, description: "" },
      },
      ({ principal }) => ({ principal: principal ?? null }),
    );
    expect((await handler(call("GET", "/api/cron/x"))).status).toBe(401);
    const ok = await handler(
      call("GET", "/api/cron/x", { headers: { authorization: `Bearer ${secrets.CRON_SECRET}` } }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ principal: null });
  });

  test("behavior: auth webhook verifies the signature, validates the signed body, and lets a retry through after a transient failure", async () => {
    let failNext = true;
    const handler = endpoint(
      {
        ...base,
        route: "/api/webhooks/x",
        method: "POST",
        auth: "webhook",
        body: { name: "X", schema: z.object({ hash: z.string().startsWith("0x") }).strict() },
        success: { status: 200, description: "" },
      },
      ({ body, webhook }) => {
        if (failNext) {
          failNext = false;
          throw new BaseError("database blip", { kind: "transient" });
        }
        return { eventId: webhook.eventId, hash: body.hash };
      },
    );
    const deliver = (body: string, eventId: string, secret = secrets.WEBHOOK_SECRET) =>
      handler(
        call("POST", "/api/webhooks/x", {
          body,
          headers: webhookHeaders({ secret, body, eventId }),
        }),
      );
    const eventId = `evt_${Date.now()}`;
    expect((await deliver('{"hash":"0xab"}', eventId, "wrong-secret")).status).toBe(401);
    expect((await deliver('{"hash":"0xab"}', eventId)).status).toBe(503);
    // The same event again: accepted, because the failed attempt was forgotten.
    const retried = await deliver('{"hash":"0xab"}', eventId);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ eventId, hash: "0xab" });
    // A replay of a processed event is refused; a signed but invalid body is a 400.
    expect((await deliver('{"hash":"0xab"}', eventId)).status).toBe(401);
    expect((await deliver('{"hash":"ab"}', `${eventId}_2`)).status).toBe(400);
  });

  test("behavior: enabled false makes the route a 404 before anything else", async () => {
    let enabled = false;
    const handler = endpoint(
      {
        ...base,
        route: "/api/devnet-only/[action]",
        method: "GET",
        auth: false,
        enabled: () => enabled,
        params: { action: z.enum(["go"]) },
        success: { status: 200, description: "" },
      },
      ({ params }) => ({ action: params.action }),
    );
    expect((await handler(call("GET", "/api/devnet-only/nope"))).status).toBe(404);
    enabled = true;
    expect((await handler(call("GET", "/api/devnet-only/nope"))).status).toBe(400);
    expect((await handler(call("GET", "/api/devnet-only/go"))).status).toBe(200);
  });
});
