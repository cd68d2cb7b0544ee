import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { assignApprover } from "../../../lib/auth/assignApprover.js";
import type { Principal } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { createEndpoint } from "../../../lib/notifications/createEndpoint.js";
import { approvalHoldColumns } from "../../../lib/policy/approvals/approvalHoldColumns.js";
import {
  castApprovalVote,
  countApprovals,
  countAssignedApprovals,
} from "../../../lib/policy/approvals/castApprovalVote.js";
import { listApprovalsFor } from "../../../lib/policy/approvals/listApprovalsFor.js";
import type { HoldDecision } from "../../../lib/policy/types.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;
let admin: Principal;
let agent: Principal;
let otherAgent: Principal;
const approvers: Principal[] = [];
let stranger: Principal;

const principal = (keyId: string, role: Principal["role"]): Principal => ({
  keyId,
  role,
  scope: role === "admin" ? "admin" : "sessions",
});

beforeAll(async () => {
  testDb = await createTestDb("pg");
  const db = testDb.db;
  admin = principal((await createKey(db, { name: "ops", role: "admin" })).id, "admin");
  agent = principal((await createKey(db, { name: "bot", role: "agent" })).id, "agent");
  otherAgent = principal((await createKey(db, { name: "bot2", role: "agent" })).id, "agent");
  for (const name of ["alice", "bob"]) {
    approvers.push(principal((await createKey(db, { name, role: "approver" })).id, "approver"));
  }
  stranger = principal((await createKey(db, { name: "carol", role: "approver" })).id, "approver");
  await assignApprover(db, { approverKeyId: approvers[0]!.keyId, agentKeyIds: [agent.keyId] });
  await assignApprover(db, {
    approverKeyId: approvers[1]!.keyId,
    agentKeyIds: [agent.keyId, otherAgent.keyId],
  });
});

afterAll(async () => {
  await testDb?.dispose();
});

const hold = (required: number, approversMode: "assigned" | "any" = "assigned"): HoldDecision => ({
  outcome: "hold",
  rule: "approvals.required",
  message: `held: 30 USDC is above the 10 USD threshold; needs ${required} approvals`,
  requiredApprovals: required,
  approvers: approversMode,
  expiresInSeconds: 600,
  charges: {},
  policyId: "pol_x",
  policyVersion: 4,
  usdMicros: 30_000_000n,
});

/** A pending approval of `owner`'s run, as phase 2's requestApproval will create it. */
async function pendingApproval(
  owner: Principal,
  decision: HoldDecision,
  now = new Date(),
): Promise<string> {
  const db = testDb.db;
  const sessionId = `ses_${randomUUID().replaceAll("-", "").slice(0, 26)}`;
  const runId = `run_${randomUUID().replaceAll("-", "").slice(0, 26)}`;
  const token = `apr_${randomUUID().replaceAll("-", "").slice(0, 26)}`;
  await db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: owner.keyId })
    .execute();
  await db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: "send 30 USDC",
      status: "waiting_approval",
      api_key_id: owner.keyId,
    })
    .execute();
  await db
    .insertInto("approval_requests")
    .values({
      token,
      run_id: runId,
      session_id: sessionId,
      step_index: 0,
      action: JSON.stringify({
        type: "transfer",
        token: "USDC",
        amount: "30000000",
        to: "0x1111111111111111111111111111111111111111",
      }),
      status: "pending",
      ...approvalHoldColumns(decision, {
        agentKeyId: owner.keyId,
        now,
        defaultExpirySeconds: 86_400,
      }),
    })
    .execute();
  return token;
}

const approve = { decision: "approve" } as const;

describe("castApprovalVote", () => {
  test("error: an agent key can never decide, not even its own approval (403)", async () => {
    const token = await pendingApproval(agent, hold(1));
    await expect(
      castApprovalVote(testDb.db, { principal: agent, token, vote: approve }),
    ).rejects.toMatchObject({ status: 403, kind: "refused" });
    expect(await countApprovals(testDb.db, token)).toBe(0);
  });

  test("behavior: a 2-approver policy needs two distinct approvers; the same approver twice counts once", async () => {
    const endpoint = await createEndpoint(testDb.db, {
      url: "http://127.0.0.1:9/decided",
      events: ["approval.decided"],
      allowPrivate: true,
    });
    const token = await pendingApproval(agent, hold(2));
    const first = await castApprovalVote(testDb.db, {
      principal: approvers[0]!,
      token,
      vote: approve,
    });
    expect(first).toMatchObject({ status: "pending", approvals: 1, required: 2, final: false });
    const again = await castApprovalVote(testDb.db, {
      principal: approvers[0]!,
      token,
      vote: approve,
    });
    expect(again).toMatchObject({ status: "pending", approvals: 1, final: false });
    await expect(
      castApprovalVote(testDb.db, {
        principal: approvers[0]!,
        token,
        vote: { decision: "reject" },
      }),
    ).rejects.toMatchObject({ status: 409 });
    const second = await castApprovalVote(testDb.db, {
      principal: approvers[1]!,
      token,
      vote: approve,
    });
    expect(second).toMatchObject({ status: "approved", approvals: 2, final: true });
    expect(await countApprovals(testDb.db, token)).toBe(2);
    const row = await testDb.db
      .selectFrom("approval_requests")
      .selectAll()
      .where("token", "=", token)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "approved",
      required_approvals: 2,
      policy_id: "pol_x",
      policy_version: 4,
      rule: "approvals.required",
      amount_usd: "30.000000",
    });
    expect(row.decision).toMatchObject({
      decision: "approve",
      approvers: [approvers[0]!.keyId, approvers[1]!.keyId],
    });
    await expect(
      castApprovalVote(testDb.db, { principal: admin, token, vote: approve }),
    ).rejects.toMatchObject({ status: 409 });
    const events = await testDb.db
      .selectFrom("notification_deliveries")
      .select("body")
      .where("endpoint_id", "=", endpoint.id)
      .execute();
    expect(events.map((e) => JSON.parse(e.body).data)).toEqual([
      {
        token,
        runId: row.run_id,
        step: 0,
        status: "approved",
        approvers: [approvers[0]!.keyId, approvers[1]!.keyId],
      },
    ]);
  });

  test("behavior: concurrent votes of the same approver count once; of two approvers decide once", async () => {
    const token = await pendingApproval(agent, hold(2));
    const same = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        castApprovalVote(testDb.db, { principal: approvers[0]!, token, vote: approve }),
      ),
    );
    expect(same.every((r) => r.status === "fulfilled")).toBe(true);
    expect(await countApprovals(testDb.db, token)).toBe(1);
    const decided = await Promise.all(
      [approvers[1]!, admin].map((p) =>
        castApprovalVote(testDb.db, { principal: p, token, vote: approve }).catch(
          (e: unknown) => e,
        ),
      ),
    );
    // The quorum is reached once; the late vote finds the approval decided (409).
    expect(decided.filter((d) => (d as { status?: unknown }).status === 409)).toHaveLength(1);
    expect(decided.filter((d) => (d as { final?: boolean }).final === true)).toHaveLength(1);
  });

  test("behavior: approvers see and decide only their agents' approvals unless the policy says any", async () => {
    const token = await pendingApproval(otherAgent, hold(1));
    await expect(
      castApprovalVote(testDb.db, { principal: approvers[0]!, token, vote: approve }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      castApprovalVote(testDb.db, { principal: stranger, token, vote: approve }),
    ).rejects.toMatchObject({ status: 404 });
    const open = await pendingApproval(otherAgent, hold(1, "any"));
    const visible = async (p: Principal) =>
      (await listApprovalsFor(testDb.db, { principal: p, status: "pending", limit: 100 })).map(
        (a) => a.token,
      );
    expect(await visible(approvers[0]!)).not.toContain(token);
    expect(await visible(approvers[0]!)).toContain(open);
    expect(await visible(approvers[1]!)).toEqual(expect.arrayContaining([token, open]));
    expect(await visible(stranger)).toContain(open);
    expect(await visible(stranger)).not.toContain(token);
    expect(await visible(agent)).not.toContain(token);
    expect(await visible(otherAgent)).toEqual(expect.arrayContaining([token, open]));
    expect(
      await castApprovalVote(testDb.db, { principal: stranger, token: open, vote: approve }),
    ).toMatchObject({ status: "approved", final: true });
    // The gate counts that vote toward a hold open to any approver, not toward one of an
    // "assigned" policy (a policy tightened, or a price risen, since the approval was asked).
    expect(await countApprovals(testDb.db, open)).toBe(1);
    expect(await countAssignedApprovals(testDb.db, open, otherAgent.keyId)).toBe(0);
    const both = await pendingApproval(otherAgent, hold(3, "any"));
    for (const principal of [stranger, approvers[1]!, admin])
      await castApprovalVote(testDb.db, { principal, token: both, vote: approve });
    expect(await countAssignedApprovals(testDb.db, both, otherAgent.keyId)).toBe(2);
  });

  test("behavior: a vote of an approver key revoked afterwards leaves the quorum and the gate's counts", async () => {
    const db = testDb.db;
    const assignedApprover = async (name: string) => {
      const key = await createKey(db, { name, role: "approver" });
      await assignApprover(db, { approverKeyId: key.id, agentKeyIds: [agent.keyId] });
      return principal(key.id, "approver");
    };
    const mallory = await assignedApprover("mallory");
    const token = await pendingApproval(agent, hold(2));
    expect(await castApprovalVote(db, { principal: mallory, token, vote: approve })).toMatchObject({
      status: "pending",
      approvals: 1,
      final: false,
    });
    // Mallory's key is found compromised and revoked: her approval no longer counts.
    await revokeApiKey(db, mallory.keyId);
    expect(await countApprovals(db, token)).toBe(0);
    expect(await countAssignedApprovals(db, token, agent.keyId)).toBe(0);
    expect(
      await castApprovalVote(db, { principal: approvers[0]!, token, vote: approve }),
    ).toMatchObject({ status: "pending", approvals: 1, required: 2, final: false });
    const decided = await castApprovalVote(db, { principal: approvers[1]!, token, vote: approve });
    expect(decided).toMatchObject({ status: "approved", approvals: 2, final: true });
    const row = await db
      .selectFrom("approval_requests")
      .select("decision")
      .where("token", "=", token)
      .executeTakeFirstOrThrow();
    expect(row.decision).toMatchObject({ approvers: [approvers[0]!.keyId, approvers[1]!.keyId] });

    // Revoked after the approval was decided: it stays decided, but the gate's re-count at step
    // time leaves the vote out, so the step is short of its quorum (policyRefusal refuses it).
    const eve = await assignedApprover("eve");
    const decidedFirst = await pendingApproval(agent, hold(1));
    expect(
      await castApprovalVote(db, { principal: eve, token: decidedFirst, vote: approve }),
    ).toMatchObject({ status: "approved", final: true });
    await revokeApiKey(db, eve.keyId);
    const status = await db
      .selectFrom("approval_requests")
      .select("status")
      .where("token", "=", decidedFirst)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe("approved");
    expect(await countApprovals(db, decidedFirst)).toBe(0);
    expect(await countAssignedApprovals(db, decidedFirst, agent.keyId)).toBe(0);
  });

  test("behavior: one reject rejects; an expired approval answers 410 and is marked expired", async () => {
    const token = await pendingApproval(agent, hold(2));
    await castApprovalVote(testDb.db, { principal: approvers[0]!, token, vote: approve });
    expect(
      await castApprovalVote(testDb.db, {
        principal: approvers[1]!,
        token,
        vote: { decision: "reject", comment: "too much" },
      }),
    ).toMatchObject({ status: "rejected", final: true });
    const expired = await pendingApproval(agent, hold(1), new Date(Date.now() - 3_600_000));
    await expect(
      castApprovalVote(testDb.db, { principal: admin, token: expired, vote: approve }),
    ).rejects.toMatchObject({ status: 410 });
    const row = await testDb.db
      .selectFrom("approval_requests")
      .select("status")
      .where("token", "=", expired)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("expired");
  });

  test("behavior: an edit is re-checked, replaces the action and voids approvals given to the old one", async () => {
    const token = await pendingApproval(agent, hold(2));
    await castApprovalVote(testDb.db, { principal: approvers[0]!, token, vote: approve });
    const refuse = async () => {
      throw Object.assign(new Error("refused: 500 CRO is above the policy's maxPerAction"), {
        status: 422,
      });
    };
    await expect(
      castApprovalVote(testDb.db, {
        principal: approvers[1]!,
        token,
        vote: { decision: "edit", args: { token: "CRO", amount: "500" } },
        checkEdit: refuse,
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(await countApprovals(testDb.db, token)).toBe(1);
    const edited = await castApprovalVote(testDb.db, {
      principal: approvers[1]!,
      token,
      vote: { decision: "edit", args: { amount: "20000000" } },
      checkEdit: async (_trx, approval, args) => ({ ...(approval.action as object), ...args }),
    });
    expect(edited).toMatchObject({ status: "pending", approvals: 1, final: false });
    const [view] = await listApprovalsFor(testDb.db, {
      principal: admin,
      status: "pending",
      limit: 100,
    }).then((list) => list.filter((a) => a.token === token));
    expect(view).toMatchObject({
      action: { amount: "20000000" },
      originalAction: { amount: "30000000" },
      votes: [{ approverKeyId: approvers[1]!.keyId, decision: "edit" }],
    });
    expect(
      await castApprovalVote(testDb.db, { principal: approvers[0]!, token, vote: approve }),
    ).toMatchObject({ status: "edited", final: true, approvals: 2 });
    await expect(
      castApprovalVote(testDb.db, {
        principal: admin,
        token,
        vote: { decision: "edit", args: {} },
      }),
    ).rejects.toMatchObject({ status: 409 });
  });
});
