import { beforeAll, describe, expect, test } from "vitest";
import { POST as FREEZE } from "../../api/keys/[id]/freeze.js";
import { POST as UNFREEZE } from "../../api/keys/[id]/unfreeze.js";
import { DELETE, PUT } from "../../api/keys/[id].js";
import { GET, POST } from "../../api/keys/index.js";
import { POST as CREATE_POLICY } from "../../api/policies/index.js";
import { createApiKey } from "../../lib/auth/apiKeys.js";
import { createKey } from "../../lib/auth/createKey.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

const testDb = useScratchProcessDb();
let admin: { id: string; key: string };
let sessions: { id: string; key: string };
let approver: { id: string; key: string };

beforeAll(async () => {
  admin = await createApiKey(testDb.db, { name: "root", scope: "admin" });
  sessions = await createApiKey(testDb.db, { name: "app", scope: "sessions" });
  approver = await createKey(testDb.db, { name: "alice", role: "approver" });
});

const call = (method: string, path: string, key: string | undefined, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("/api/keys", () => {
  test("behavior: an admin creates a key (shown once), lists it without hashes, and revokes it", async () => {
    const created = await POST(
      call("POST", "/api/keys", admin.key, { name: "ci bot", scope: "sessions" }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const body = (await created.json()) as { id: string; key: string; scope: string };
    expect(body.key).toMatch(/^pgk_/);
    expect(body.scope).toBe("sessions");

    const listed = await GET(call("GET", "/api/keys", admin.key));
    const text = await listed.text();
    expect(listed.status).toBe(200);
    expect(text).toContain(body.id);
    expect(text).not.toContain(body.key);
    expect(text).not.toMatch(/[0-9a-f]{64}/);

    const revoked = await DELETE(call("DELETE", `/api/keys/${body.id}`, admin.key));
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({ id: body.id, revoked: true });
    // The revoked key no longer authenticates.
    expect((await GET(call("GET", "/api/keys", body.key))).status).toBe(401);
  });

  test("behavior: POST /api/keys {name, role, policyId} → 201 {id, key, role}; PUT assigns a policy; GET lists role and policy; freeze/unfreeze", async () => {
    const policy = await CREATE_POLICY(
      call("POST", "/api/policies", admin.key, { name: "small", allowedActions: ["transfer"] }),
    );
    expect(policy.status).toBe(201);
    const { id: policyId } = (await policy.json()) as { id: string };
    const created = await POST(
      call("POST", "/api/keys", admin.key, { name: "approver one", role: "approver" }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      role: "approver",
      key: expect.stringMatching(/^pgk_/),
    });
    const agent = await POST(
      call("POST", "/api/keys", admin.key, { name: "agent one", role: "agent", policyId }),
    );
    const agentBody = (await agent.json()) as { id: string; role: string; policyId: string };
    expect(agentBody).toMatchObject({ role: "agent", policyId });
    // A policy on an approver key is refused (422); an unknown policy is 404.
    const onApprover = await POST(
      call("POST", "/api/keys", admin.key, { name: "bad", role: "approver", policyId }),
    );
    expect(onApprover.status).toBe(422);

    const reset = await PUT(
      call("PUT", `/api/keys/${agentBody.id}`, admin.key, { policyId: null }),
    );
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ id: agentBody.id, policyId: null });
    const assigned = await PUT(call("PUT", `/api/keys/${agentBody.id}`, admin.key, { policyId }));
    expect(await assigned.json()).toEqual({ id: agentBody.id, policyId });
    expect((await PUT(call("PUT", `/api/keys/${agentBody.id}`, admin.key, {}))).status).toBe(400);
    const listed = (await (await GET(call("GET", "/api/keys", admin.key))).json()) as {
      keys: { id: string; name: string; role: string; policy: { id: string } | null }[];
    };
    expect(listed.keys.find((k) => k.id === agentBody.id)).toMatchObject({
      name: "agent one",
      role: "agent",
      policy: { id: policyId },
    });

    const frozen = await FREEZE(
      call("POST", `/api/keys/${agentBody.id}/freeze`, admin.key, { reason: "lost laptop" }),
    );
    expect(frozen.status).toBe(200);
    expect(await frozen.json()).toMatchObject({ frozen: true, changed: true });
    // The list shows the freeze with its reason and who froze it.
    const whileFrozen = (await (await GET(call("GET", "/api/keys", admin.key))).json()) as {
      keys: {
        id: string;
        frozenAt: string | null;
        frozenReason: string | null;
        frozenBy: string | null;
      }[];
    };
    expect(whileFrozen.keys.find((k) => k.id === agentBody.id)).toMatchObject({
      frozenAt: expect.any(String),
      frozenReason: "lost laptop",
      frozenBy: admin.id,
    });
    const thawed = await UNFREEZE(call("POST", `/api/keys/${agentBody.id}/unfreeze`, admin.key));
    expect(await thawed.json()).toMatchObject({ frozen: false, changed: true });
    const afterThaw = (await (await GET(call("GET", "/api/keys", admin.key))).json()) as {
      keys: { id: string; frozenAt: string | null; frozenReason: string | null }[];
    };
    expect(afterThaw.keys.find((k) => k.id === agentBody.id)).toMatchObject({
      frozenAt: null,
      frozenReason: null,
    });
    expect(
      (await FREEZE(call("POST", `/api/keys/${agentBody.id}/freeze`, sessions.key))).status,
    ).toBe(403);
  });

  test("error: agent and approver keys get 403, no key 401, on every method", async () => {
    for (const [key, status] of [
      [sessions.key, 403],
      [approver.key, 403],
      [undefined, 401],
    ] as const) {
      expect((await GET(call("GET", "/api/keys", key))).status).toBe(status);
      expect((await POST(call("POST", "/api/keys", key, { name: "x" }))).status).toBe(status);
      expect(
        (await PUT(call("PUT", `/api/keys/${sessions.id}`, key, { policyId: null }))).status,
      ).toBe(status);
      expect((await DELETE(call("DELETE", `/api/keys/${admin.id}`, key))).status).toBe(status);
      expect((await FREEZE(call("POST", `/api/keys/${sessions.id}/freeze`, key, {}))).status).toBe(
        status,
      );
      expect(
        (await UNFREEZE(call("POST", `/api/keys/${sessions.id}/unfreeze`, key, {}))).status,
      ).toBe(status);
    }
    const still = await testDb.db
      .selectFrom("api_keys")
      .select("revoked_at")
      .where("id", "=", admin.id)
      .executeTakeFirstOrThrow();
    expect(still.revoked_at).toBeNull();
    const frozen = await testDb.db
      .selectFrom("freezes")
      .select("target")
      .where("target", "=", `key:${sessions.id}`)
      .executeTakeFirst();
    expect(frozen).toBeUndefined();
  });

  test("error: invalid bodies and ids are 4xx with a readable message", async () => {
    const bad = await POST(call("POST", "/api/keys", admin.key, { name: "", scope: "root" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
      "validation_failed",
    );
    expect((await DELETE(call("DELETE", "/api/keys/nope", admin.key))).status).toBe(400);
    expect((await DELETE(call("DELETE", "/api/keys/key_0000000000000000", admin.key))).status).toBe(
      404,
    );
    expect((await DELETE(call("DELETE", `/api/keys/${admin.id}`, admin.key))).status).toBe(409);
  });
});
