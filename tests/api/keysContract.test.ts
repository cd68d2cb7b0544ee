import { beforeAll, describe, expect, test } from "vitest";
import { PUT } from "../../api/keys/[id].js";
import { GET, POST } from "../../api/keys/index.js";
import { POST as CREATE_POLICY } from "../../api/policies/index.js";
import { createKey } from "../../lib/auth/createKey.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * /api/keys as README documents it: PUT applies all of a body or none of it, POST refuses unknown
 * fields and a scope that names another role than `role`, and answers
 * {id, key, name, role, scope, policyId} with the legacy scope of the role (null for approvers).
 */
const testDb = useScratchProcessDb();
let admin: { id: string; key: string };
let policyId: string;

beforeAll(async () => {
  admin = await createKey(testDb.db, { name: "root", role: "admin" });
  const policy = await CREATE_POLICY(
    call("POST", "/api/policies", { name: "small", allowedActions: ["transfer"] }),
  );
  expect(policy.status).toBe(201);
  policyId = ((await policy.json()) as { id: string }).id;
});

function call(method: string, path: string, body?: unknown): Request {
  return new Request(`http://localhost${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin.key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function policyOf(keyId: string): Promise<string | null> {
  const row = await testDb.db
    .selectFrom("api_keys")
    .select("policy_id")
    .where("id", "=", keyId)
    .executeTakeFirstOrThrow();
  return row.policy_id;
}

async function agentsOf(approverKeyId: string): Promise<string[]> {
  const rows = await testDb.db
    .selectFrom("approver_assignments")
    .select("agent_key_id")
    .where("approver_key_id", "=", approverKeyId)
    .orderBy("agent_key_id")
    .execute();
  return rows.map((row) => row.agent_key_id);
}

async function keysNamed(name: string): Promise<number> {
  const rows = await testDb.db
    .selectFrom("api_keys")
    .select("id")
    .where("name", "=", name)
    .execute();
  return rows.length;
}

describe("PUT /api/keys/{id}: all of the body or none of it", () => {
  test("error: approverFor on an agent key is 422 and its policy is left as it was", async () => {
    const agent = await createKey(testDb.db, { name: "agent put", role: "agent", policyId });
    const answer = await PUT(
      call("PUT", `/api/keys/${agent.id}`, { policyId: null, approverFor: [] }),
    );
    expect(answer.status).toBe(422);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(
      "not an approver",
    );
    expect(await policyOf(agent.id)).toBe(policyId);
  });

  test("error: a policy on an approver key is 422 and its agents are left as they were", async () => {
    const agent = await createKey(testDb.db, { name: "agent kept", role: "agent" });
    const approver = await createKey(testDb.db, { name: "approver put", role: "approver" });
    expect(
      (await PUT(call("PUT", `/api/keys/${approver.id}`, { approverFor: [agent.id] }))).status,
    ).toBe(200);
    const answer = await PUT(
      call("PUT", `/api/keys/${approver.id}`, { policyId, approverFor: [] }),
    );
    expect(answer.status).toBe(422);
    expect(await agentsOf(approver.id)).toEqual([agent.id]);
  });

  test("behavior: a body whose parts all fit applies both", async () => {
    const agent = await createKey(testDb.db, { name: "agent both", role: "agent" });
    const approver = await createKey(testDb.db, { name: "approver both", role: "approver" });
    const answer = await PUT(
      call("PUT", `/api/keys/${approver.id}`, { policyId: null, approverFor: [agent.id] }),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      id: approver.id,
      policyId: null,
      approverFor: [agent.id],
    });
    expect(await agentsOf(approver.id)).toEqual([agent.id]);
  });
});

describe("POST /api/keys: strict body, scope and role agree, documented answer", () => {
  test("error: an unknown field is 400 naming it, and no key is created", async () => {
    const answer = await POST(
      call("POST", "/api/keys", { name: "extra field", role: "agent", extra: 1 }),
    );
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.message).toContain("extra");
    expect(await keysNamed("extra field")).toBe(0);
  });

  test("error: a scope naming another role than role is 400, and no key is created", async () => {
    for (const [scope, role] of [
      ["sessions", "admin"],
      ["sessions", "approver"],
      ["admin", "agent"],
      ["admin", "approver"],
    ] as const) {
      const answer = await POST(call("POST", "/api/keys", { name: "contradiction", scope, role }));
      expect(answer.status, `${scope}/${role}`).toBe(400);
      expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(
        `scope "${scope}"`,
      );
    }
    expect(await keysNamed("contradiction")).toBe(0);
    // Agreeing pairs stay accepted.
    const agent = await POST(
      call("POST", "/api/keys", { name: "agrees", scope: "sessions", role: "agent" }),
    );
    expect(agent.status).toBe(201);
    expect(await agent.json()).toMatchObject({ role: "agent", scope: "sessions" });
    const root = await POST(
      call("POST", "/api/keys", { name: "agrees", scope: "admin", role: "admin" }),
    );
    expect(root.status).toBe(201);
    expect(await root.json()).toMatchObject({ role: "admin", scope: "admin" });
  });

  test("behavior: 201 {id, key, name, role, scope, policyId}; an approver's scope is null", async () => {
    const approver = await POST(call("POST", "/api/keys", { name: "alice", role: "approver" }));
    expect(approver.status).toBe(201);
    const body = (await approver.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["id", "key", "name", "policyId", "role", "scope"]);
    expect(body).toMatchObject({ name: "alice", role: "approver", scope: null, policyId: null });
    const agent = await POST(call("POST", "/api/keys", { name: "bot", role: "agent", policyId }));
    expect(await agent.json()).toMatchObject({ role: "agent", scope: "sessions", policyId });
    const listed = (await (await GET(call("GET", "/api/keys"))).json()) as {
      keys: { id: string; role: string; scope: string | null }[];
    };
    expect(listed.keys.find((key) => key.id === body.id)).toMatchObject({
      role: "approver",
      scope: null,
    });
    expect(listed.keys.find((key) => key.id === admin.id)).toMatchObject({ scope: "admin" });
  });
});
