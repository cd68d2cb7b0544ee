import { randomUUID } from "node:crypto";
import { erc20Abi } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Action } from "../../../lib/actions/schemas.js";
import type { Plan } from "../../../lib/agent/plan.js";
import { decideApproval } from "../../../lib/approvals/decideApproval.js";
import { assignApprover } from "../../../lib/auth/assignApprover.js";
import type { Principal } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { getChainContext } from "../../../lib/chain/clients.js";
import { listDeskApprovals } from "../../../lib/desk/listDeskApprovals.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { recordApprovalRequest } from "../../../lib/runs/execute/requestApproval.js";
import { runActionStep } from "../../../lib/runs/execute/runActionStep.js";
import { useChain } from "../../helpers/actionStep.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

/**
 * What an approver's edit approves, end to end on a real anvil and Postgres:
 * recordApprovalRequest → decideApproval (approver keys) → the desk → runActionStep.
 * Found by review: an edit of a whole-balance transfer was ignored (the whole wallet moved), and a
 * quorum's second approver was shown the amount first asked, not the one an earlier edit set.
 */
let devnet: TestDevnet;
let db: TestDb;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  useChain(devnet.rpcUrl, 2000);
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const usdcOf = (address: `0x${string}`) =>
  getChainContext().publicClient.readContract({
    address: devnet.addresses.usdc,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [address],
  });

const approverOf = async (agentKeyId: string, name: string): Promise<Principal> => {
  const key = await createKey(db.db, { name, role: "approver" });
  await assignApprover(db.db, { approverKeyId: key.id, agentKeyIds: [agentKeyId] });
  return { keyId: key.id, role: "approver", scope: "sessions" };
};

/** A run whose only action is held for approval, as plan leaves it (requestApproval not yet run). */
async function heldRun(
  policyDocument: unknown,
  planned: Plan["actions"][number],
): Promise<{ runId: string; agentKeyId: string }> {
  const policy = await createPolicy(db.db, { document: policyDocument });
  const key = await createKey(db.db, { name: "agent", role: "agent", policyId: policy.id });
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  const runId = `run_${randomUUID().slice(0, 12)}`;
  await db.db.insertInto("agent_sessions").values({ id: sessionId, api_key_id: key.id }).execute();
  await db.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: "review",
      status: "running",
      api_key_id: key.id,
      plan: JSON.stringify({ actions: [planned], explanation: [] } satisfies Plan),
    })
    .execute();
  await db.db
    .insertInto("run_steps")
    .values({
      id: `${runId}:step:0`,
      run_id: runId,
      step_index: 0,
      action: planned.action.type,
      status: "pending",
      input: JSON.stringify(planned.action),
    })
    .execute();
  return { runId, agentKeyId: key.id };
}

describe("approval edits", () => {
  test("behavior: in a 2-approver quorum, the next approver's desk card shows the amount an earlier edit set, and its value", async () => {
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const action: Action = { type: "transfer", token: "USDC", amount: "30000000", to: recipient };
    const document = {
      allowedActions: ["transfer"],
      maxPerAction: { amount: "100", token: "USD" },
      approvalThresholdUsd: "10",
      approvals: { required: 2, approvers: "assigned" },
    };
    const { runId, agentKeyId } = await heldRun(document, {
      index: 0,
      action,
      requiresApproval: true,
      usdValue: "30",
      reason: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals",
      hold: {
        requiredApprovals: 2,
        approvers: "assigned",
        expiresInSeconds: 3600,
        rule: "approvals.required",
        message: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals",
        policyId: "pol_edits",
        policyVersion: 1,
        usdMicros: "30000000",
      },
    } as Plan["actions"][number]);
    const asked = await recordApprovalRequest(db.db, { runId, index: 0 });
    if (asked.ended) throw new Error("run ended");
    const alice = await approverOf(agentKeyId, "alice");
    const bob = await approverOf(agentKeyId, "bob");

    // Alice raises it to 95 USDC (within maxPerAction): her edit counts as one of the two approvals.
    const first = await decideApproval(db.db, alice, asked.token, {
      decision: "edit",
      args: { amount: { amount: "95", token: "USDC" } },
    });
    expect(first).toMatchObject({ status: "pending", approvals: 1, required: 2 });

    const { approvals } = await listDeskApprovals(
      db.db,
      bob as never,
      {
        status: "pending",
        token: asked.token,
        limit: 10,
      } as never,
    );
    const card = approvals[0]!;
    const sentence = card.sentence.map((part) => part.text).join("");
    // Before: "Send 30 USDC …", value 30, the edit box at 30, while an approval sent 95.
    expect(sentence).toContain("95");
    expect(sentence).not.toContain("30 USDC");
    expect(card.editable[0]!.value).toBe("95000000");
    expect(Number(card.amountUsd)).toBeGreaterThan(90);
    expect(card.changes).toEqual([
      expect.objectContaining({ field: "amount", from: "30000000", to: "95000000" }),
    ]);

    const second = await decideApproval(db.db, bob, asked.token, { decision: "approve" });
    expect(second).toMatchObject({ status: "edited", approvals: 2 });
    const result = await runActionStep(db.db, "transfer", { runId, index: 0, attempt: 1 });
    expect(result.status).toBe("completed");
    expect(await usdcOf(recipient)).toBe(95_000_000n);
  });

  test("behavior: an approver's edit of a whole-balance transfer down to 1 USDC sends 1 USDC, not the balance", async () => {
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const balance = await usdcOf(devnet.accounts.agent.address);
    expect(balance).toBeGreaterThan(10_000_000n);
    const action: Action = {
      type: "transfer",
      token: "USDC",
      amount: balance.toString(),
      to: recipient,
      all: true,
    };
    // The planner always asks a person for a whole balance; the policy allows it.
    const { runId, agentKeyId } = await heldRun(
      { allowedActions: ["transfer"], approvalThresholdUsd: "1000000000" },
      { index: 0, action, requiresApproval: true, reason: "whole balance" },
    );
    const asked = await recordApprovalRequest(db.db, { runId, index: 0 });
    if (asked.ended) throw new Error("run ended");
    const approver = await approverOf(agentKeyId, "alice");

    const voted = await decideApproval(db.db, approver, asked.token, {
      decision: "edit",
      args: { amount: { amount: "1", token: "USDC" } },
    });
    expect(voted.status).toBe("edited");
    const row = await db.db
      .selectFrom("approval_requests")
      .select(["action"])
      .where("token", "=", asked.token)
      .executeTakeFirstOrThrow();
    // The edited amount is fixed: the action no longer moves the whole balance.
    expect(row.action).toMatchObject({ amount: "1000000" });
    expect(row.action).not.toHaveProperty("all");

    const result = await runActionStep(db.db, "transfer", { runId, index: 0, attempt: 1 });
    expect(result.status).toBe("completed");
    // Before: the recipient received the whole balance.
    expect(await usdcOf(recipient)).toBe(1_000_000n);
    expect(await usdcOf(devnet.accounts.agent.address)).toBe(balance - 1_000_000n);
  });
});
