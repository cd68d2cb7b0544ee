import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Plan } from "../../../../lib/agent/plan.js";
import { createKey } from "../../../../lib/auth/createKey.js";
import { createPolicy } from "../../../../lib/policy/createPolicy.js";
import { recordApprovalRequest } from "../../../../lib/runs/execute/requestApproval.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

/** Asking for an approval: never for a run that was cancelled while the step waited. */
let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  await testDb?.dispose();
});

const plan: Plan = {
  actions: [
    {
      index: 0,
      action: {
        type: "transfer",
        token: "USDC",
        amount: "5000000",
        to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      },
      requiresApproval: true,
      usdValue: "5",
      reason: "above the approval threshold",
    },
  ],
  explanation: [],
};

async function plannedRun(
  status: "running" | "cancelled",
  cancelRequested: boolean,
  keyId: string | null = null,
): Promise<string> {
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  const runId = `run_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: keyId })
    .execute();
  await testDb.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: "send 5 USDC",
      status,
      plan: JSON.stringify(plan),
      cancel_requested_at: cancelRequested ? new Date() : null,
      api_key_id: keyId,
    })
    .execute();
  return runId;
}

async function stateOf(runId: string) {
  const run = await testDb.db
    .selectFrom("runs")
    .select("status")
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  const approvals = await testDb.db
    .selectFrom("approval_requests")
    .select("status")
    .where("run_id", "=", runId)
    .execute();
  const events = await testDb.db
    .selectFrom("run_events")
    .select("type")
    .where("run_id", "=", runId)
    .execute();
  return { status: run.status, approvals, events: events.map((e) => e.type) };
}

describe("recordApprovalRequest", () => {
  test("behavior: a running run gets a pending approval and waits for it", async () => {
    const runId = await plannedRun("running", false);
    const result = await recordApprovalRequest(testDb.db, { runId, index: 0 });
    expect(result.ended).toBeUndefined();
    expect(await stateOf(runId)).toMatchObject({
      status: "waiting_approval",
      approvals: [{ status: "pending" }],
      events: ["approval.required"],
    });
  });

  test("behavior: a run cancelled while the step waited for its lock stays cancelled; nobody is asked", async () => {
    const runId = await plannedRun("cancelled", true);
    expect(await recordApprovalRequest(testDb.db, { runId, index: 0 })).toEqual({
      ended: "cancelled",
    });
    expect(await stateOf(runId)).toEqual({ status: "cancelled", approvals: [], events: [] });
  });

  test("behavior: an approval the planner asked for is decided by the approvers the key's policy names", async () => {
    const approversOf = async (runId: string) =>
      (
        await testDb.db
          .selectFrom("approval_requests")
          .select("approvers")
          .where("run_id", "=", runId)
          .executeTakeFirstOrThrow()
      ).approvers;
    // A policy without a word on approvers means assigned ones (as its own holds do).
    const policy = await createPolicy(testDb.db, {
      document: { allowedActions: ["transfer"], approvalThresholdUsd: "100" },
    });
    const key = await createKey(testDb.db, { name: "bot", role: "agent", policyId: policy.id });
    const assigned = await plannedRun("running", false, key.id);
    await recordApprovalRequest(testDb.db, { runId: assigned, index: 0 });
    expect(await approversOf(assigned)).toBe("assigned");
    // The operator default lets any approver decide.
    const plain = await createKey(testDb.db, { name: "bot2", role: "agent" });
    const open = await plannedRun("running", false, plain.id);
    await recordApprovalRequest(testDb.db, { runId: open, index: 0 });
    expect(await approversOf(open)).toBe("any");
  });
});
