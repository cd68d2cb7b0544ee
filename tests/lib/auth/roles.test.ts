import { describe, expect, test } from "vitest";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { assignApprover } from "../../../lib/auth/assignApprover.js";
import { assignPolicy } from "../../../lib/auth/assignPolicy.js";
import { authenticate } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { syncEnvAdminKey } from "../../../lib/auth/envAdminKey.js";
import { listKeys } from "../../../lib/auth/listKeys.js";
import { requireRole } from "../../../lib/auth/roles.js";
import { resetConfig } from "../../../lib/config.js";
import { setFrozen } from "../../../lib/freeze/setFrozen.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { useScratchProcessDb } from "../../helpers/useScratchProcessDb.js";

// authenticate() uses the process database: point it at the scratch one.
const testDb = useScratchProcessDb();

const bearer = (key: string) =>
  new Request("http://localhost/api/keys", { headers: { authorization: `Bearer ${key}` } });
const document = { allowedActions: ["pay"], maxPerAction: { amount: "1", token: "USD" } };

describe("keys with roles", () => {
  test("behavior: createKey returns the role and policy; authenticate resolves the role", async () => {
    const policy = await createPolicy(testDb.db, { name: "small", document });
    const agent = await createKey(testDb.db, { name: "bot", role: "agent", policyId: policy.id });
    expect(agent).toMatchObject({
      role: "agent",
      policyId: policy.id,
      key: expect.stringMatching(/^pgk_/),
    });
    expect(await authenticate(bearer(agent.key))).toEqual({
      keyId: agent.id,
      role: "agent",
      scope: "sessions",
    });
    const approver = await createKey(testDb.db, { name: "alice", role: "approver" });
    expect(await authenticate(bearer(approver.key))).toEqual({
      keyId: approver.id,
      role: "approver",
      scope: "sessions",
    });
    await expect(
      createKey(testDb.db, { name: "x", role: "approver", policyId: policy.id }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      createKey(testDb.db, {
        name: "x",
        role: "agent",
        policyId: "pol_00000000000000000000000000",
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  test("behavior: listKeys shows role, policy, freeze and an approver's agents; assignPolicy changes the policy", async () => {
    const policy = await createPolicy(testDb.db, { name: "listed", document });
    const agent = await createKey(testDb.db, { name: "lister", role: "agent" });
    const approver = await createKey(testDb.db, { name: "bob", role: "approver" });
    await assignPolicy(testDb.db, { keyId: agent.id, policyId: policy.id });
    await assignApprover(testDb.db, {
      approverKeyId: approver.id,
      agentKeyIds: [agent.id, agent.id],
    });
    await setFrozen(testDb.db, {
      target: { keyId: agent.id },
      frozen: true,
      reason: "lost laptop",
      by: approver.id,
    });
    const keys = await listKeys(testDb.db);
    expect(keys.find((k) => k.id === agent.id)).toMatchObject({
      role: "agent",
      policy: { id: policy.id, name: "listed", version: 1 },
      frozenAt: expect.any(Date),
      frozenReason: "lost laptop",
      frozenBy: approver.id,
      agentKeyIds: [],
      source: "created",
    });
    expect(keys.find((k) => k.id === approver.id)).toMatchObject({
      role: "approver",
      policy: null,
      frozenAt: null,
      frozenReason: null,
      frozenBy: null,
      agentKeyIds: [agent.id],
    });
    expect(JSON.stringify(keys)).not.toMatch(/key_hash|pgk_/);
    expect(
      (await listKeys(testDb.db, { role: "approver" })).every((k) => k.role === "approver"),
    ).toBe(true);
    await assignPolicy(testDb.db, { keyId: agent.id, policyId: null });
    expect((await listKeys(testDb.db)).find((k) => k.id === agent.id)?.policy).toBeNull();
  });

  test("error: assignments check roles and existence", async () => {
    const agent = await createKey(testDb.db, { name: "a", role: "agent" });
    const approver = await createKey(testDb.db, { name: "b", role: "approver" });
    await expect(
      assignApprover(testDb.db, { approverKeyId: agent.id, agentKeyIds: [] }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      assignApprover(testDb.db, { approverKeyId: approver.id, agentKeyIds: [approver.id] }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      assignApprover(testDb.db, { approverKeyId: approver.id, agentKeyIds: ["key_nope"] }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      assignPolicy(testDb.db, { keyId: "key_nope", policyId: null }),
    ).rejects.toMatchObject({ status: 404 });
    await revokeApiKey(testDb.db, agent.id);
    await expect(
      assignPolicy(testDb.db, { keyId: agent.id, policyId: null }),
    ).rejects.toMatchObject({ status: 422 });
  });

  test("error: requireRole answers 403 naming the roles", () => {
    expect(() => requireRole({ role: "agent" }, ["admin", "approver"])).toThrow(
      "This needs one of: admin, approver; this key's role is agent",
    );
    expect(() => requireRole({ role: "approver" }, ["admin"])).toThrow(
      "This needs an admin key; this key's role is approver",
    );
    expect(() => requireRole({ role: "admin" }, ["admin"])).not.toThrow();
  });
});

describe("PAYGENT_ADMIN_KEY rotation", () => {
  const useEnvKey = (value: string | undefined) => {
    if (value === undefined) delete process.env.PAYGENT_ADMIN_KEY;
    else process.env.PAYGENT_ADMIN_KEY = value;
    resetConfig();
  };

  test("behavior: rotating the variable revokes the previous environment key", async () => {
    useEnvKey("env-admin-key-one-0123456789");
    const first = await authenticate(bearer("env-admin-key-one-0123456789"));
    expect(first.role).toBe("admin");
    useEnvKey("env-admin-key-two-0123456789");
    const second = await authenticate(bearer("env-admin-key-two-0123456789"));
    expect(second.keyId).not.toBe(first.keyId);
    await expect(authenticate(bearer("env-admin-key-one-0123456789"))).rejects.toMatchObject({
      status: 401,
    });
    // Rotated again: the old key is refused even before the new one is ever used.
    useEnvKey("env-admin-key-three-0123456789");
    await expect(authenticate(bearer("env-admin-key-two-0123456789"))).rejects.toMatchObject({
      status: 401,
    });
    const live = (await listKeys(testDb.db)).filter(
      (k) => k.source === "env" && k.revokedAt === null,
    );
    expect(live).toEqual([]);
    const third = await syncEnvAdminKey(testDb.db);
    expect((await authenticate(bearer("env-admin-key-three-0123456789"))).keyId).toBe(third);
    // Unset: every environment key is revoked at start-up.
    useEnvKey(undefined);
    await syncEnvAdminKey(testDb.db);
    await expect(authenticate(bearer("env-admin-key-three-0123456789"))).rejects.toMatchObject({
      status: 401,
    });
  });
});
