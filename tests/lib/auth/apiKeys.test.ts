import { describe, expect, test } from "vitest";
import { createApiKey, listApiKeys, revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { assignPolicy } from "../../../lib/auth/assignPolicy.js";
import { authenticate, hashApiKey } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { StaleKeyControlsError } from "../../../lib/auth/keyControlsCache.js";
import { withKeyControls } from "../../../lib/auth/withKeyControls.js";
import type { ClientError } from "../../../lib/errors/index.js";
import { setFrozen } from "../../../lib/freeze/setFrozen.js";
import { guard } from "../../../lib/http/guard.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { resolveKeyControls } from "../../../lib/policy/resolveKeyControls.js";
import { startRun } from "../../../lib/runs/start/startRun.js";
import { useScratchProcessDb } from "../../helpers/useScratchProcessDb.js";

// authenticate() and guard() use the process database: point it at the scratch one.
const testDb = useScratchProcessDb({
  env: { PAYGENT_ADMIN_KEY: "env-admin-key-0123456789", RATE_LIMIT_PER_MINUTE: "3" },
});

const bearer = (key: string, ip = "10.1.1.1") =>
  new Request("http://localhost/api/keys", {
    headers: { authorization: `Bearer ${key}`, "x-real-ip": ip },
  });

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as ClientError | undefined;
  expect(error, "expected a rejection").toBeDefined();
  return { code: error!.code, status: error!.status };
}

describe("createApiKey", () => {
  test("behavior: returns a pgk_ key once and stores only its SHA-256", async () => {
    const created = await createApiKey(testDb.db, { name: "ops", scope: "admin" });
    expect(created.id).toMatch(/^key_[0-9a-z]{26}$/);
    expect(created.key).toMatch(/^pgk_[A-Za-z0-9_-]{43}$/);
    const row = await testDb.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(4));
    expect(row.role).toBe("admin");
  });

  test("behavior: keys are unique", async () => {
    const keys = await Promise.all(
      Array.from({ length: 10 }, () => createApiKey(testDb.db, { name: "n", scope: "sessions" })),
    );
    expect(new Set(keys.map((k) => k.key)).size).toBe(10);
    expect(new Set(keys.map((k) => k.id)).size).toBe(10);
  });
});

describe("listApiKeys / revokeApiKey", () => {
  test("behavior: listing never exposes hashes; revocation is idempotent and listed", async () => {
    const created = await createApiKey(testDb.db, { name: "to-revoke", scope: "sessions" });
    const listed = await listApiKeys(testDb.db);
    const entry = listed.find((k) => k.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: "to-revoke",
      scope: "sessions",
      createdAt: expect.any(Date),
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toMatch(/key_hash|[0-9a-f]{64}/);

    expect(await revokeApiKey(testDb.db, created.id)).toBe(true);
    const revokedAt = (await listApiKeys(testDb.db)).find((k) => k.id === created.id)?.revokedAt;
    expect(revokedAt).toBeInstanceOf(Date);
    expect(await revokeApiKey(testDb.db, created.id)).toBe(true);
    expect((await listApiKeys(testDb.db)).find((k) => k.id === created.id)?.revokedAt).toEqual(
      revokedAt,
    );
    expect(
      (await listApiKeys(testDb.db, { includeRevoked: false })).some((k) => k.id === created.id),
    ).toBe(false);
  });

  test("error: revoking an unknown id reports false", async () => {
    expect(await revokeApiKey(testDb.db, "key_doesnotexist")).toBe(false);
  });
});

describe("authenticate", () => {
  test("behavior: a live key resolves to its principal; a revoked one is 401", async () => {
    const created = await createApiKey(testDb.db, { name: "svc", scope: "sessions" });
    expect(await authenticate(bearer(created.key))).toEqual({
      keyId: created.id,
      role: "agent",
      scope: "sessions",
    });
    await revokeApiKey(testDb.db, created.id);
    expect(await failure(authenticate(bearer(created.key)))).toEqual({
      code: "unauthorized",
      status: 401,
    });
  });

  test("behavior: withControls reads the key's policy and freezes in the same statement, fresh each time", async () => {
    const created = await createApiKey(testDb.db, { name: "controls", scope: "sessions" });
    const plain = await authenticate(bearer(created.key));
    expect(plain.controls).toBeUndefined();

    const before = await authenticate(bearer(created.key), { withControls: true });
    expect(before.controls).toEqual(await resolveKeyControls(testDb.db, { keyId: created.id }));
    expect(before.controls?.policy.source).toBe("default");
    expect(before.controls?.freeze).toBeUndefined();

    const policy = await createPolicy(testDb.db, {
      name: "tight",
      document: { allowedActions: ["pay"], approvalThresholdUsd: "1" },
    });
    await assignPolicy(testDb.db, { keyId: created.id, policyId: policy.id });
    await setFrozen(testDb.db, { target: { keyId: created.id }, frozen: true, reason: "probe" });
    const after = await authenticate(bearer(created.key), { withControls: true });
    expect(after.controls).toEqual(await resolveKeyControls(testDb.db, { keyId: created.id }));
    expect(after.controls?.policy).toMatchObject({ id: policy.id, version: 1, source: "key" });
    expect(after.controls?.freeze).toMatchObject({ target: `key:${created.id}`, reason: "probe" });

    // The wallet's freeze is the one reported when both are frozen.
    await setFrozen(testDb.db, { target: "wallet", frozen: true, reason: "wallet probe" });
    try {
      const both = await authenticate(bearer(created.key), { withControls: true });
      expect(both.controls?.freeze).toMatchObject({ target: "wallet", reason: "wallet probe" });
    } finally {
      await setFrozen(testDb.db, { target: "wallet", frozen: false });
    }
  });

  test("error: missing, malformed and unknown credentials are 401", async () => {
    for (const header of [
      undefined,
      "Basic abc",
      "Bearer",
      "Bearer short",
      `Bearer ${"x".repeat(300)}`,
      "Bearer pgk_unknownunknownunknown",
    ]) {
      const request = new Request("http://localhost/", {
        headers: header ? { authorization: header } : {},
      });
      expect(await failure(authenticate(request)), String(header)).toEqual({
        code: "unauthorized",
        status: 401,
      });
    }
  });

  test("behavior: PAYGENT_ADMIN_KEY works as an admin key, registered as a revocable row", async () => {
    const principal = await authenticate(bearer("env-admin-key-0123456789"));
    expect(principal.scope).toBe("admin");
    const row = await testDb.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", principal.keyId)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe("PAYGENT_ADMIN_KEY");
    expect(await authenticate(bearer("env-admin-key-0123456789"))).toEqual(principal);
    await revokeApiKey(testDb.db, principal.keyId);
    expect(await failure(authenticate(bearer("env-admin-key-0123456789")))).toEqual({
      code: "unauthorized",
      status: 401,
    });
  });
});

describe("guard", () => {
  test("behavior: auth 'admin' refuses session keys with 403; auth false needs no key", async () => {
    const sessions = await createApiKey(testDb.db, { name: "s", scope: "sessions" });
    const admin = await createApiKey(testDb.db, { name: "a", scope: "admin" });
    expect(await failure(guard(bearer(sessions.key), { auth: "admin" }))).toEqual({
      code: "forbidden",
      status: 403,
    });
    expect(await guard(bearer(admin.key), { auth: "admin" })).toEqual({
      keyId: admin.id,
      role: "admin",
      scope: "admin",
    });
    expect(await guard(bearer(sessions.key))).toEqual({
      keyId: sessions.id,
      role: "agent",
      scope: "sessions",
    });
    expect(await guard(new Request("http://localhost/"), { auth: false })).toBeUndefined();
    expect(await failure(guard(new Request("http://localhost/")))).toEqual({
      code: "unauthorized",
      status: 401,
    });
  });

  test("behavior: rateLimit counts per key with RATE_LIMIT_PER_MINUTE (3 here), then 429", async () => {
    const key = await createApiKey(testDb.db, { name: "busy", scope: "sessions" });
    for (let i = 0; i < 3; i++)
      await guard(bearer(key.key, `10.2.0.${i}`), { rateLimit: "command" });
    expect(await failure(guard(bearer(key.key, "10.2.0.9"), { rateLimit: "command" }))).toEqual({
      code: "rate_limited",
      status: 429,
    });
    // Payments are a separate bucket.
    await guard(bearer(key.key, "10.2.0.10"), { rateLimit: "payment" });
  });

  test("behavior: guessed keys fill only their own counts, never the real key's", async () => {
    const key = await createApiKey(testDb.db, { name: "guessed", scope: "sessions" });
    for (let i = 0; i < 4; i++) {
      const guess = `${key.key.slice(0, -4)}${String(i).padStart(4, "0")}`;
      const refused = await failure(guard(bearer(guess, `10.3.0.${i}`), { rateLimit: "command" }));
      expect(refused).toEqual({ code: "unauthorized", status: 401 });
    }
    for (let i = 0; i < 3; i++)
      await guard(bearer(key.key, `10.3.1.${i}`), { rateLimit: "command" });
    expect(await failure(guard(bearer(key.key, "10.3.1.9"), { rateLimit: "command" }))).toEqual({
      code: "rate_limited",
      status: 429,
    });
  });
});

describe("withKeyControls (accepts outside endpoint(): the MCP tools)", () => {
  test("error: a run accepted on controls read before a freeze is refused, and nothing is written", async () => {
    const key = await createKey(testDb.db, { name: "mcp agent", role: "agent" });
    const principal = await withKeyControls(testDb.db, {
      keyId: key.id,
      role: "agent",
      scope: "sessions",
    });
    const { version } = await testDb.db
      .selectFrom("key_controls_version")
      .select("version")
      .executeTakeFirstOrThrow();
    expect(principal.controls?.version).toBe(String(version));
    expect(principal.controls?.freeze).toBeUndefined();

    // A freeze lands between the tool's policy check and its insert.
    await setFrozen(testDb.db, { target: { keyId: key.id }, frozen: true, reason: "race" });
    await expect(
      startRun(testDb.db, { principal, command: "what's my balance" }),
    ).rejects.toBeInstanceOf(StaleKeyControlsError);
    const runs = await testDb.db
      .selectFrom("runs")
      .select("id")
      .where("api_key_id", "=", key.id)
      .execute();
    expect(runs).toEqual([]);

    // Read again: the freeze is seen, as the tool's retry would see it.
    const again = await withKeyControls(testDb.db, {
      keyId: key.id,
      role: "agent",
      scope: "sessions",
    });
    expect(again.controls?.freeze?.target).toBe(`key:${key.id}`);
  });
});
