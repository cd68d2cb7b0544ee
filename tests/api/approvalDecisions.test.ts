import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { POST as DECIDE } from "../../api/approvals/[token].js";
import { decideApproval } from "../../lib/approvals/decideApproval.js";
import type { Principal } from "../../lib/auth/authenticate.js";
import { createKey } from "../../lib/auth/createKey.js";
import { decideApprovalSpec } from "../../lib/mcp/toolSpecs.js";
import { approvalHoldColumns } from "../../lib/policy/approvals/approvalHoldColumns.js";
import type { HoldDecision } from "../../lib/policy/types.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * POST /api/approvals/{token} with args that do not say what the approver meant is refused (400)
 * before any vote: a held 13 USDC transfer must never go ahead in full because args were ignored
 * (args with "approve", an empty edit, unknown fields, a `type`, an edit that changes nothing).
 */
const testDb = useScratchProcessDb();
let admin: { id: string; key: string };
let agentKeyId: string;

/** The held action: 13 USDC to a payee, as the planner stores it (base units). */
const heldTransfer = {
  type: "transfer",
  token: "USDC",
  amount: "13000000",
  to: "0x1111111111111111111111111111111111111111",
} as const;

const hold: HoldDecision = {
  outcome: "hold",
  rule: "approvals.required",
  message: "held: 13 USDC is above the 10 USD threshold; needs 1 approval",
  requiredApprovals: 1,
  approvers: "any",
  expiresInSeconds: 600,
  charges: {},
  policyId: "pol_x",
  policyVersion: 1,
  usdMicros: 13_000_000n,
};

beforeAll(async () => {
  admin = await createKey(testDb.db, { name: "ops", role: "admin" });
  agentKeyId = (await createKey(testDb.db, { name: "bot", role: "agent" })).id;
});

/** A pending approval of a held 13 USDC transfer in a command run of the agent key. */
async function pendingTransfer(): Promise<string> {
  const db = testDb.db;
  const suffix = (): string => randomUUID().replaceAll("-", "").slice(0, 26);
  const sessionId = `ses_${suffix()}`;
  const runId = `run_${suffix()}`;
  const token = `apr_${suffix()}`;
  await db.insertInto("agent_sessions").values({ id: sessionId, api_key_id: agentKeyId }).execute();
  await db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: "send 13 USDC to 0x1111111111111111111111111111111111111111",
      status: "waiting_approval",
      api_key_id: agentKeyId,
    })
    .execute();
  await db
    .insertInto("approval_requests")
    .values({
      token,
      run_id: runId,
      session_id: sessionId,
      step_index: 0,
      action: JSON.stringify(heldTransfer),
      status: "pending",
      ...approvalHoldColumns(hold, { agentKeyId, defaultExpirySeconds: 86_400 }),
    })
    .execute();
  return token;
}

const decide = (token: string, body: unknown): Promise<Response> =>
  DECIDE(
    new Request(`http://localhost/api/approvals/${token}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

/** Nothing was decided: still pending, the original action, no vote recorded. */
async function expectUndecided(token: string): Promise<void> {
  const approval = await testDb.db
    .selectFrom("approval_requests")
    .select(["status", "action", "decision"])
    .where("token", "=", token)
    .executeTakeFirstOrThrow();
  expect(approval).toMatchObject({ status: "pending", action: heldTransfer, decision: null });
  const votes = await testDb.db
    .selectFrom("approval_decisions")
    .select("decision")
    .where("approval_token", "=", token)
    .execute();
  expect(votes).toEqual([]);
}

describe("POST /api/approvals/{token}: args must say what the approver meant", () => {
  test("error: approve with args is 400, not an approval of the full amount", async () => {
    const token = await pendingTransfer();
    const answer = await decide(token, {
      decision: "approve",
      args: { amount: { amount: "1", token: "USDC" } },
    });
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(answer.status).toBe(400);
    expect(body.error.message).toContain('args are only taken with decision "edit"');
    await expectUndecided(token);
    // reject with args is as ambiguous.
    expect((await decide(token, { decision: "reject", args: {} })).status).toBe(400);
    await expectUndecided(token);
  });

  test("error: an empty edit is 400, not `edited` with the original action", async () => {
    const token = await pendingTransfer();
    const answer = await decide(token, { decision: "edit", args: {} });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(
      /at least one field/,
    );
    await expectUndecided(token);
  });

  test("error: unknown fields are 400 naming them", async () => {
    const token = await pendingTransfer();
    const answer = await decide(token, { decision: "edit", args: { bogus: 1, maxAmount: "1" } });
    const body = (await answer.json()) as {
      error: { message: string; issues?: { path: string }[] };
    };
    expect(answer.status).toBe(400);
    expect(body.error.message).toContain("bogus, maxAmount");
    expect(body.error.message).toContain("transfer");
    expect(body.error.issues?.map((issue) => issue.path)).toEqual(["args.bogus", "args.maxAmount"]);
    await expectUndecided(token);
  });

  test("error: an edit cannot change the action's type (400), even with other fields", async () => {
    const token = await pendingTransfer();
    const answer = await decide(token, {
      decision: "edit",
      args: { type: "swap", amount: { amount: "1", token: "USDC" } },
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(
      "cannot change the action's type",
    );
    await expectUndecided(token);
  });

  test("error: an edit changes amounts only: a recipient or a token is 400, and nothing is decided", async () => {
    const token = await pendingTransfer();
    for (const args of [
      { to: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" },
      { token: "CRO", amount: { amount: "1", token: "CRO" } },
    ]) {
      const answer = await decide(token, { decision: "edit", args });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(
        /an edit changes amounts only \(amount\); to pay someone else or in another token, reject it/,
      );
    }
    await expectUndecided(token);
  });

  test("error: an edit that changes nothing is 400", async () => {
    const token = await pendingTransfer();
    const same = await decide(token, {
      decision: "edit",
      args: { amount: { amount: "13", token: "USDC" } },
    });
    expect(same.status).toBe(400);
    expect(((await same.json()) as { error: { message: string } }).error.message).toContain(
      "changes nothing",
    );
    await expectUndecided(token);
  });

  test("error: callers beside REST (MCP's decide_approval, the typed client) meet the same rules", async () => {
    const token = await pendingTransfer();
    const principal: Principal = { keyId: admin.id, role: "admin", scope: "admin" };
    await expect(
      decideApproval(testDb.db, principal, token, {
        decision: "approve",
        args: { amount: { amount: "1", token: "USDC" } },
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      decideApproval(testDb.db, principal, token, { decision: "edit", args: { bogus: 1 } }),
    ).rejects.toMatchObject({ status: 400 });
    await expectUndecided(token);
    // The MCP tool has no edit: args sent to it are refused, not dropped before an approve.
    expect(
      decideApprovalSpec.inputSchema.safeParse({
        token,
        decision: "approve",
        args: { amount: { amount: "1", token: "USDC" } },
      }).success,
    ).toBe(false);
    expect(decideApprovalSpec.inputSchema.safeParse({ token, decision: "approve" }).success).toBe(
      true,
    );
  });

  test("behavior: a plain approve still decides", async () => {
    const token = await pendingTransfer();
    const answer = await decide(token, { decision: "approve" });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: "approved", approvals: 1, required: 1 });
  });
});
