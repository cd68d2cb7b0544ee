import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TransferAction } from "../../../../lib/actions/transfer/schema.js";
import { revokeApiKey } from "../../../../lib/auth/apiKeys.js";
import { assignApprover } from "../../../../lib/auth/assignApprover.js";
import type { Principal } from "../../../../lib/auth/authenticate.js";
import { createKey } from "../../../../lib/auth/createKey.js";
import { type ChainContext, createChainContext } from "../../../../lib/chain/clients.js";
import type { Run } from "../../../../lib/db/database.js";
import { setFrozen } from "../../../../lib/freeze/setFrozen.js";
import { approvalHoldColumns } from "../../../../lib/policy/approvals/approvalHoldColumns.js";
import { castApprovalVote } from "../../../../lib/policy/approvals/castApprovalVote.js";
import { createPolicy } from "../../../../lib/policy/createPolicy.js";
import { policyRefusal } from "../../../../lib/runs/execute/policyRefusal.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

/**
 * The gate before money moves lets a retried step through only when it already sent something:
 * a payment written but never signed is not sent, so a freeze since still stops it.
 */
let testDb: TestDb;
let chain: ChainContext;
const agent = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

beforeAll(async () => {
  testDb = await createTestDb("pg");
  // USDC is valued at $1 without a pool read: no chain needs to answer.
  chain = createChainContext({ network: "devnet", rpcUrl: "http://127.0.0.1:9" });
});

afterAll(async () => {
  await testDb?.dispose();
});

const action: TransferAction = { type: "transfer", token: "USDC", amount: "1000000", to: agent };

async function frozenKeyRun(): Promise<Run> {
  const policy = await createPolicy(testDb.db, {
    document: { allowedActions: ["transfer", "pay"] },
  });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: key.id })
    .execute();
  const run = await testDb.db
    .insertInto("runs")
    .values({
      id: `run_${randomUUID().slice(0, 12)}`,
      session_id: sessionId,
      command: "send 1 USDC",
      status: "running",
      api_key_id: key.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await setFrozen(testDb.db, { target: { keyId: key.id }, frozen: true, reason: "review" });
  return run;
}

async function paymentRow(run: Run, sent: boolean): Promise<void> {
  const nonce = `0x${randomBytes(32).toString("hex")}`;
  await testDb.db
    .insertInto("payments")
    .values({
      id: `pay_${nonce.slice(2, 26)}`,
      run_id: run.id,
      step_id: `${run.id}:0`,
      session_id: run.session_id,
      resource_url: "https://md.example/quote",
      amount: "1000000",
      asset: agent,
      network: "eip155:31337",
      pay_to: agent,
      payer: agent,
      nonce,
      status: "pending",
      valid_after: 0n,
      valid_before: BigInt(Math.floor(Date.now() / 1000) + 600),
      sent_at: sent ? new Date() : null,
    })
    .execute();
}

const refusalOf = (run: Run, approvedToken: string | null = null) =>
  policyRefusal(testDb.db, {
    run,
    index: 0,
    action,
    spend: { token: "USDC", amount: 1_000_000n, usdAmount: "1" },
    context: { db: testDb.db, run, chain },
    approvedToken,
  });

/**
 * A run of an agent key under `document` whose step 0 (send 1 USDC) was held for `required`
 * approvals and approved by that many approvers assigned to the key, as requestApproval and the
 * votes leave it. Returns the run, the approved token and the voters.
 */
async function approvedRun(
  document: unknown,
  required: number,
  approvers: "any" | "assigned",
): Promise<{ run: Run; token: string; voters: Principal[] }> {
  const policy = await createPolicy(testDb.db, { document });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: key.id })
    .execute();
  const run = await testDb.db
    .insertInto("runs")
    .values({
      id: `run_${randomUUID().slice(0, 12)}`,
      session_id: sessionId,
      command: "send 1 USDC",
      status: "running",
      api_key_id: key.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const token = `apr_${randomUUID().replaceAll("-", "").slice(0, 26)}`;
  await testDb.db
    .insertInto("approval_requests")
    .values({
      token,
      run_id: run.id,
      session_id: sessionId,
      step_index: 0,
      action: JSON.stringify(action),
      status: "pending",
      ...approvalHoldColumns(
        {
          outcome: "hold",
          rule: "approvals.required",
          message: `held: needs ${required} approvals`,
          requiredApprovals: required,
          approvers,
          expiresInSeconds: 600,
          charges: {},
          policyId: policy.id,
          policyVersion: 1,
          usdMicros: 1_000_000n,
        },
        { agentKeyId: key.id, now: new Date(), defaultExpirySeconds: 600 },
      ),
    })
    .execute();
  const voters: Principal[] = [];
  for (let i = 0; i < required; i++) {
    const voter = await createKey(testDb.db, { name: `approver${i}`, role: "approver" });
    await assignApprover(testDb.db, { approverKeyId: voter.id, agentKeyIds: [key.id] });
    voters.push({ keyId: voter.id, role: "approver", scope: "sessions" });
    await castApprovalVote(testDb.db, {
      principal: voters[i]!,
      token,
      vote: { decision: "approve" },
    });
  }
  const { status } = await testDb.db
    .selectFrom("approval_requests")
    .select("status")
    .where("token", "=", token)
    .executeTakeFirstOrThrow();
  expect(status).toBe("approved");
  return { run, token, voters };
}

describe("policyRefusal", () => {
  test("behavior: a frozen key is refused, also when the step wrote a payment it never signed", async () => {
    const run = await frozenKeyRun();
    expect(await refusalOf(run)).toMatch(/frozen.*\(rule frozen\.key\)/);
    await paymentRow(run, false);
    expect(await refusalOf(run)).toMatch(/\(rule frozen\.key\)/);
  });

  test("behavior: a step that signed and sent its payment is let through to collect it", async () => {
    const run = await frozenKeyRun();
    await paymentRow(run, true);
    expect(await refusalOf(run)).toBeUndefined();
  });

  test("behavior: an approval decided before one of its voters' keys was revoked moves no money under an assigned quorum", async () => {
    const document = {
      allowedActions: ["transfer"],
      approvalThresholdUsd: "0.5",
      approvals: { required: 2, approvers: "assigned" },
    };
    const intact = await approvedRun(document, 2, "assigned");
    expect(await refusalOf(intact.run, intact.token)).toBeUndefined();

    const { run, token, voters } = await approvedRun(document, 2, "assigned");
    await revokeApiKey(testDb.db, voters[0]!.keyId);
    expect(await refusalOf(run, token)).toMatch(
      /counts 1 of the 2 approvals .*revoked.*\(rule approvals\.revoked\)/,
    );
  });

  test("behavior: an approval the planner asked for (no policy quorum) moves no money once its only voter's key is revoked", async () => {
    const { run, token, voters } = await approvedRun({ allowedActions: ["transfer"] }, 1, "any");
    await revokeApiKey(testDb.db, voters[0]!.keyId);
    expect(await refusalOf(run, token)).toMatch(/\(rule approvals\.revoked\)/);
    // A retried step that already sent its payment (before the revocation) collects it.
    await paymentRow(run, true);
    expect(await refusalOf(run, token)).toBeUndefined();
  });
});
