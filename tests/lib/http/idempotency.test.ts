import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { createApiKey } from "../../../lib/auth/apiKeys.js";
import { BaseError } from "../../../lib/errors/index.js";
import { endpoint } from "../../../lib/http/index.js";
import { IDEMPOTENCY_KEY_TTL_HOURS } from "../../../lib/idempotency/claimIdempotencyKey.js";
import { useScratchProcessDb } from "../../helpers/useScratchProcessDb.js";

/** Idempotency-Key handling of endpoint() (issue 20; ACP §5 / the IETF httpapi draft). */
const testDb = useScratchProcessDb({
  env: { RATE_LIMIT_PER_MINUTE: "1000" },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});
const keys = { a: "", b: "" };

beforeAll(async () => {
  keys.a = (await createApiKey(testDb.db, { name: "a", scope: "sessions" })).key;
  keys.b = (await createApiKey(testDb.db, { name: "b", scope: "sessions" })).key;
});

function post(url: string, key: string, body: unknown, idempotencyKey?: string): Request {
  return new Request(`http://localhost${url}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** An endpoint counting its calls; `gate` (when set) holds a call in flight until released. */
function counted(operationId: string) {
  const state = {
    calls: 0,
    gate: undefined as Promise<void> | undefined,
    fail: undefined as unknown,
    keys: [] as (string | undefined)[],
  };
  const handler = endpoint(
    {
      route: `/api/${operationId}`,
      method: "POST",
      operationId,
      summary: "test",
      tags: ["test"],
      auth: ["admin", "agent"],
      body: { name: `${operationId}Body`, schema: z.object({ n: z.number() }).strict() },
      idempotency: true,
      success: { status: 202, description: "Accepted" },
    },
    async ({ body, idempotencyKey }) => {
      state.calls++;
      state.keys.push(idempotencyKey);
      if (state.gate) await state.gate;
      if (state.fail) throw state.fail;
      return { call: state.calls, n: body.n };
    },
  );
  return { handler, state };
}

describe("endpoint idempotency", () => {
  test("behavior: a retry with the same key and body replays the stored answer with Idempotent-Replayed", async () => {
    const { handler, state } = counted("opReplay");
    const first = await handler(post("/api/opReplay", keys.a, { n: 1 }, "k-1"));
    expect(first.status).toBe(202);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.text();
    // Key order and whitespace do not make it another request.
    const again = await handler(post("/api/opReplay", keys.a, { n: 1 }, '"k-1"'));
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(firstBody);
    expect(state.calls).toBe(1);
    expect(state.keys).toEqual(["opReplay:k-1"]);
    // Without a key every request runs.
    await handler(post("/api/opReplay", keys.a, { n: 1 }));
    expect(state.calls).toBe(2);
  });

  test("error: the same key with a different body → 422 idempotency_conflict, nothing runs", async () => {
    const { handler, state } = counted("opConflict");
    expect((await handler(post("/api/opConflict", keys.a, { n: 1 }, "k-2"))).status).toBe(202);
    const conflict = await handler(post("/api/opConflict", keys.a, { n: 2 }, "k-2"));
    expect(conflict.status).toBe(422);
    expect((await conflict.json()).error.code).toBe("idempotency_conflict");
    expect(state.calls).toBe(1);
  });

  test("behavior: keys are scoped per principal and per endpoint", async () => {
    const one = counted("opScopeOne");
    const two = counted("opScopeTwo");
    await one.handler(post("/api/opScopeOne", keys.a, { n: 1 }, "shared"));
    const otherEndpoint = await two.handler(post("/api/opScopeTwo", keys.a, { n: 9 }, "shared"));
    expect(otherEndpoint.status).toBe(202);
    expect(otherEndpoint.headers.get("idempotent-replayed")).toBeNull();
    expect(await otherEndpoint.json()).toMatchObject({ n: 9 });
    const otherPrincipal = await one.handler(post("/api/opScopeOne", keys.b, { n: 5 }, "shared"));
    expect(otherPrincipal.status).toBe(202);
    expect(otherPrincipal.headers.get("idempotent-replayed")).toBeNull();
    expect(one.state.calls).toBe(2);
    expect(two.state.calls).toBe(1);
  });

  test("behavior: while the first request is in flight a retry gets 409 with Retry-After", async () => {
    const { handler, state } = counted("opInFlight");
    let release!: () => void;
    state.gate = new Promise((resolve) => {
      release = resolve;
    });
    const first = handler(post("/api/opInFlight", keys.a, { n: 1 }, "k-3"));
    while (state.calls === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = await handler(post("/api/opInFlight", keys.a, { n: 1 }, "k-3"));
    expect(busy.status).toBe(409);
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await busy.json()).error.code).toBe("idempotency_in_flight");
    release();
    expect((await first).status).toBe(202);
    const replay = await handler(post("/api/opInFlight", keys.a, { n: 1 }, "k-3"));
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(state.calls).toBe(1);
  });

  test("behavior: a failed request releases its key, so the retry runs", async () => {
    const { handler, state } = counted("opFail");
    state.fail = new BaseError("RPC down", { kind: "transient" });
    expect((await handler(post("/api/opFail", keys.a, { n: 1 }, "k-4"))).status).toBe(503);
    state.fail = undefined;
    const retry = await handler(post("/api/opFail", keys.a, { n: 1 }, "k-4"));
    expect(retry.status).toBe(202);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(state.calls).toBe(2);
  });

  test("behavior: keys are kept 24 h; an expired key starts afresh", async () => {
    expect(IDEMPOTENCY_KEY_TTL_HOURS).toBeGreaterThanOrEqual(24);
    const { handler, state } = counted("opExpiry");
    await handler(post("/api/opExpiry", keys.a, { n: 1 }, "k-5"));
    const row = await testDb.db
      .selectFrom("idempotency_keys")
      .select(["created_at", "expires_at"])
      .where("operation", "=", "opExpiry")
      .executeTakeFirstOrThrow();
    const keptMs = row.expires_at.getTime() - row.created_at.getTime();
    expect(keptMs).toBeGreaterThanOrEqual(24 * 3600_000);
    await testDb.db
      .updateTable("idempotency_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("operation", "=", "opExpiry")
      .execute();
    const fresh = await handler(post("/api/opExpiry", keys.a, { n: 2 }, "k-5"));
    expect(fresh.status).toBe(202);
    expect(await fresh.json()).toMatchObject({ n: 2, call: 2 });
    expect(state.calls).toBe(2);
  });

  test("error: a malformed key is a 400 and runs nothing", async () => {
    const { handler, state } = counted("opMalformed");
    const bad = await handler(post("/api/opMalformed", keys.a, { n: 1 }, "no spaces!"));
    expect(bad.status).toBe(400);
    expect(state.calls).toBe(0);
  });
});
