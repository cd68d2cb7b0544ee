import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TransferAction } from "../../../../lib/actions/transfer/schema.js";
import { createKey } from "../../../../lib/auth/createKey.js";
import { type ChainContext, createChainContext } from "../../../../lib/chain/clients.js";
import type { Run } from "../../../../lib/db/database.js";
import { setFrozen } from "../../../../lib/freeze/setFrozen.js";
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

const refusalOf = (run: Run) =>
  policyRefusal(testDb.db, {
    run,
    index: 0,
    action,
    spend: { token: "USDC", amount: 1_000_000n, usdAmount: "1" },
    context: { db: testDb.db, run, chain },
    approvedToken: null,
  });

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
});
