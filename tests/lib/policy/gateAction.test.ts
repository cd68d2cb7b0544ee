import { parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { setFrozen } from "../../../lib/freeze/setFrozen.js";
import { createEndpoint } from "../../../lib/notifications/createEndpoint.js";
import type { PriceUsd } from "../../../lib/policy/amounts.js";
import { chainPricer } from "../../../lib/policy/chainPricer.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { gateAction } from "../../../lib/policy/gateAction.js";
import { listPolicyDecisions } from "../../../lib/policy/recordPolicyDecision.js";
import type { PolicyAction } from "../../../lib/policy/types.js";
import { updatePolicy } from "../../../lib/policy/updatePolicy.js";
import { finishReservation } from "../../../lib/policy/windows/finishReservation.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let testDb: TestDb;
let devnet: TestDevnet;
let chain: ChainContext;
/** One pricer per evaluation, as in production (it reads each token's price once). */
const pricer = (): PriceUsd => chainPricer(chain, testDb.db);
let cache: Cache;
let runCounter = 0;

beforeAll(async () => {
  [testDb, devnet] = await Promise.all([createTestDb("pg"), startTestDevnet()]);
  chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
  cache = createMemoryCache();
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
  await testDb?.dispose();
});

const all = ["balance", "transfer", "swap", "pay", "discover", "subscribe", "unsubscribe"];
const transfer = (token: string, amount: bigint): PolicyAction => ({
  type: "transfer",
  network: "devnet",
  spend: { token, amount },
  counterparty: { address: "0x1111111111111111111111111111111111111111" },
});

async function agentWith(document: unknown): Promise<{ keyId: string; policyId: string }> {
  const policy = await createPolicy(testDb.db, { document });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  return { keyId: key.id, policyId: policy.id };
}

function gate(
  keyId: string,
  action: PolicyAction,
  extra: Partial<Parameters<typeof gateAction>[0]> = {},
) {
  const runId = extra.runId ?? `run_gate_${++runCounter}`;
  return gateAction({
    db: testDb.db,
    cache,
    price: pricer(),
    keyId,
    reservationId: `${runId}:0`,
    runId,
    action,
    ...extra,
  });
}

describe("gateAction", () => {
  test("behavior: an allowed spend reserves its windows and records the rule with the policy version", async () => {
    const { keyId, policyId } = await agentWith({
      allowedActions: all,
      windows: [{ period: "hour", maxCount: 3 }],
    });
    await updatePolicy(testDb.db, {
      id: policyId,
      document: { allowedActions: all, windows: [{ period: "hour", maxCount: 3 }] },
    });
    const decisions = [];
    for (let i = 0; i < 4; i++)
      decisions.push(
        await gate(keyId, transfer("USDC", 1_000_000n), { runId: `run_w_${keyId}_${i}` }),
      );
    expect(decisions.slice(0, 3).map((d) => d.outcome)).toEqual(["allow", "allow", "allow"]);
    expect(decisions[0]).toMatchObject({
      policyId,
      policyVersion: 2,
      reservation: { id: `run_w_${keyId}_0:0`, replayed: false },
    });
    expect(decisions[3]).toMatchObject({
      outcome: "refuse",
      rule: "windows[0]",
      message:
        "refused: 1 USDC would pass the policy's window of 3 per hour (3 actions already in the last hour)",
    });
    expect(await listPolicyDecisions(testDb.db, `run_w_${keyId}_3`)).toMatchObject([
      { outcome: "refuse", rule: "windows[0]", policyId, policyVersion: 2 },
    ]);
    // A retried gate for the same step replays its reservation instead of taking another slot.
    expect(
      await gate(keyId, transfer("USDC", 1_000_000n), { runId: `run_w_${keyId}_0` }),
    ).toMatchObject({ outcome: "allow", reservation: { replayed: true } });
    expect(await listPolicyDecisions(testDb.db, `run_w_${keyId}_0`)).toHaveLength(1);
  });

  test("behavior: 20 concurrent gates under a window of 3 per hour allow exactly 3", async () => {
    const { keyId } = await agentWith({
      allowedActions: all,
      windows: [{ period: "hour", maxCount: 3 }],
    });
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate(keyId, transfer("CRO", parseEther("1")), { runId: `run_c_${keyId}_${i}` }),
      ),
    );
    expect(decisions.filter((d) => d.outcome === "allow")).toHaveLength(3);
    expect(decisions.filter((d) => d.outcome === "refuse" && d.rule === "windows[0]")).toHaveLength(
      17,
    );
  });

  test("behavior: a hold that could never fit a full window is refused instead of asking for approval", async () => {
    const { keyId } = await agentWith({
      allowedActions: all,
      approvalThresholdUsd: "10",
      windows: [{ period: "day", amount: "50", token: "USD" }],
    });
    expect(await gate(keyId, transfer("USDC", parseUnits("30", 6)))).toMatchObject({
      outcome: "hold",
      rule: "approvalThresholdUsd",
      message: "held: 30 USDC is above the 10 USD threshold; needs 1 approval",
    });
    expect((await gate(keyId, transfer("USDC", parseUnits("9", 6)))).outcome).toBe("allow");
    expect((await gate(keyId, transfer("USDC", parseUnits("9", 6)))).outcome).toBe("allow");
    // 18 of 50 USD used: 30 more would fit, 33 would not — refuse it before any approver is asked.
    expect(await gate(keyId, transfer("USDC", parseUnits("33", 6)))).toMatchObject({
      outcome: "refuse",
      rule: "windows[0]",
    });
    const approved = await gate(keyId, transfer("USDC", parseUnits("30", 6)), {
      approvalsGranted: 1,
    });
    expect(approved).toMatchObject({ outcome: "allow", reservation: { replayed: false } });
  });

  test("behavior: a frozen wallet or key refuses every action at its next gate, until unfrozen", async () => {
    const { keyId } = await agentWith({ allowedActions: all });
    await setFrozen(testDb.db, { target: { keyId }, frozen: true, reason: "lost laptop" });
    expect(await gate(keyId, transfer("USDC", 1n))).toMatchObject({
      outcome: "refuse",
      rule: "frozen.key",
      message:
        "refused: this API key is frozen (lost laptop); no money moves until an admin unfreezes it",
    });
    await setFrozen(testDb.db, { target: "wallet", frozen: true });
    expect(await gate(keyId, { type: "balance", network: "devnet" })).toMatchObject({
      outcome: "refuse",
      rule: "frozen.wallet",
    });
    await setFrozen(testDb.db, { target: "wallet", frozen: false });
    await setFrozen(testDb.db, { target: { keyId }, frozen: false });
    expect((await gate(keyId, transfer("USDC", 1n))).outcome).toBe("allow");
  });

  test("behavior: a revoked key's runs and renewals in flight are refused at their next gate", async () => {
    const { keyId } = await agentWith({ allowedActions: all });
    expect((await gate(keyId, transfer("USDC", 1n))).outcome).toBe("allow");
    await revokeApiKey(testDb.db, keyId);
    expect(await gate(keyId, transfer("USDC", 1n))).toMatchObject({
      outcome: "refuse",
      rule: "revoked.key",
      message: expect.stringMatching(/^refused: this API key was revoked at .*; no money moves/),
    });
  });

  test("behavior: a command budget in USD counts the run's earlier actions in every token", async () => {
    const { keyId } = await agentWith({ allowedActions: all });
    const runId = `run_budget_${keyId}`;
    const command = { budget: { amount: "2", token: "USD" } };
    const first = await gateAction({
      db: testDb.db,
      cache,
      price: pricer(),
      keyId,
      runId,
      reservationId: `${runId}:0`,
      action: transfer("CRO", parseEther("15")),
      command,
    });
    expect(first.outcome).toBe("allow");
    const second = await gateAction({
      db: testDb.db,
      cache,
      price: pricer(),
      keyId,
      runId,
      reservationId: `${runId}:1`,
      action: transfer("USDC", 600_000n),
      command,
    });
    expect(second).toMatchObject({
      outcome: "refuse",
      rule: "command.budget",
      message: "refused: 0.6 USDC would bring this command to 2.1 USD, above its budget of 2 USD",
    });
    // Released (the first action moved nothing), the budget is whole again.
    await finishReservation({
      db: testDb.db,
      cache,
      reservationId: `${runId}:0`,
      outcome: "release",
    });
    const third = await gateAction({
      db: testDb.db,
      cache,
      price: pricer(),
      keyId,
      runId,
      reservationId: `${runId}:2`,
      action: transfer("USDC", 600_000n),
      command,
    });
    expect(third.outcome).toBe("allow");
  });

  test("behavior: crossing 80% of a window enqueues limit.approaching once", async () => {
    const endpoint = await createEndpoint(testDb.db, {
      url: "http://127.0.0.1:9/hook",
      events: ["limit.approaching"],
      allowPrivate: true,
    });
    const { keyId } = await agentWith({
      allowedActions: all,
      windows: [{ period: "day", amount: "10", token: "USDC" }],
    });
    await gate(keyId, transfer("USDC", parseUnits("5", 6)));
    await gate(keyId, transfer("USDC", parseUnits("3.5", 6)));
    await gate(keyId, transfer("USDC", parseUnits("1", 6)));
    const rows = await testDb.db
      .selectFrom("notification_deliveries")
      .select(["event_type", "body"])
      .where("endpoint_id", "=", endpoint.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.body)).toMatchObject({
      type: "limit.approaching",
      data: { keyId, rule: "windows[0]", window: "10 USDC per day", used: "8.5 USDC" },
    });
  });
});
