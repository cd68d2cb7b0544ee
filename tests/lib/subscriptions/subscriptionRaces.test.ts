import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

/**
 * Subscriptions under concurrency and change: two subscribe steps of one service, a second
 * subscribe command, a cancel or a session close landing while a renewal is in flight, and a
 * catalogue price raised after subscribing or after approvers granted a renewal. Found by review
 * (each case paid on chain before its fix); the workflow start is replaced by a record of it.
 */
const started: { runId: string; subscriptionId: string }[] = [];
vi.mock("../../../lib/runs/start/workflows.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../lib/runs/start/workflows.js")>();
  return {
    ...original,
    startSubscriptionWorkflow: async (input: { runId: string; subscriptionId: string }) => {
      started.push(input);
      return `wrun_test_${input.runId}`;
    },
    cancelWorkflowRun: async () => {},
  };
});

const { createKey } = await import("../../../lib/auth/createKey.js");
const { assignApprover } = await import("../../../lib/auth/assignApprover.js");
const { decideApproval } = await import("../../../lib/approvals/decideApproval.js");
const { createMemoryCache } = await import("../../../lib/cache/index.js");
const { createPolicy } = await import("../../../lib/policy/createPolicy.js");
const { createService } = await import("../../../lib/registry/index.js");
const { updateService } = await import("../../../lib/registry/updateService.js");
const { closeSession } = await import("../../../lib/sessions/closeSession.js");
const { cancelSubscription } = await import("../../../lib/subscriptions/cancelSubscription.js");
const { createSubscription } = await import("../../../lib/subscriptions/createSubscription.js");
const { getSubscription } = await import("../../../lib/subscriptions/getSubscription.js");
const { renewSubscription } = await import(
  "../../../lib/subscriptions/renewal/renewSubscription.js"
);
const { startSubscription } = await import("../../../lib/subscriptions/startSubscription.js");
const { SubscriptionConflictError } = await import("../../../lib/subscriptions/errors.js");
const { stopRenewalRun } = await import("../../../lib/subscriptions/stopRenewalRun.js");
const { servePaidRequest } = await import("../../../lib/x402/createPaidRoute.js");
const { createTestDb } = await import("../../helpers/db.js");
const { startX402Fixture } = await import("../x402/x402Fixture.js");

type TestDb = Awaited<ReturnType<typeof createTestDb>>;
type X402Fixture = Awaited<ReturnType<typeof startX402Fixture>>;

let fx: X402Fixture;
let testDb: TestDb;
const cache = createMemoryCache();
const PRICE = 100_000n;
const all = ["balance", "transfer", "swap", "pay", "discover", "subscribe", "unsubscribe"];
/** The feed asks `feed.amount`; `feed.onUnpaid` runs once before an unpaid request's 402. */
const FEED = "/races/feed";
const feed: { amount: bigint; onUnpaid?: () => Promise<void> } = { amount: PRICE };

beforeAll(async () => {
  [fx, testDb] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  fx.serve(FEED, async (request) => {
    if (!request.headers.get("payment-signature") && feed.onUnpaid) {
      const hook = feed.onUnpaid;
      feed.onUnpaid = undefined;
      await hook();
    }
    return servePaidRequest(request, {
      path: FEED,
      amount: feed.amount.toString(),
      description: "feed",
      handler: async () => Response.json({ ok: true }),
    });
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([fx?.stop(), testDb?.dispose()]);
});

async function setup(document: Record<string, unknown> = { allowedActions: all }) {
  feed.amount = PRICE;
  const policy = await createPolicy(testDb.db, { document });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  const tag = randomUUID().slice(0, 8);
  const service = await createService(
    testDb.db,
    {
      name: `Feed ${tag}`,
      category: "news",
      endpoint: `${fx.baseUrl}${FEED}`,
      pricingModel: "subscription",
      price: { amount: PRICE.toString(), asset: fx.usdc, network: `eip155:${fx.devnet.chainId}` },
    },
    { cache },
  );
  const sessionId = `ses_${tag}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: key.id })
    .execute();
  const principal = { keyId: key.id, role: "agent" as const, scope: "sessions" as const };
  return { keyId: key.id, serviceId: service.id, sessionId, tag, principal };
}
type Setup = Awaited<ReturnType<typeof setup>>;

async function commandRun(s: Setup, name: string) {
  return testDb.db
    .insertInto("runs")
    .values({
      id: `run_${name}_${s.tag}`,
      session_id: s.sessionId,
      command: `subscribe to Feed ${s.tag} daily`,
      status: "running",
      api_key_id: s.keyId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A subscription whose first period is over, renewed by its own run (as startSubscription links). */
async function dueSubscription(s: Setup) {
  const runId = `run_renew_${s.tag}`;
  const subscription = await createSubscription(testDb.db, {
    sessionId: s.sessionId,
    serviceId: s.serviceId,
    period: "daily",
    runId,
  });
  await testDb.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: s.sessionId,
      kind: "subscription",
      command: "renew",
      status: "running",
      options: JSON.stringify({ subscriptionId: subscription.id }),
      api_key_id: s.keyId,
    })
    .execute();
  return { subscription, runId };
}

const agentBalance = () => fx.usdcBalance(fx.agent.address);

async function settledPayments(runIds: string[]): Promise<bigint> {
  const rows = await testDb.db
    .selectFrom("payments")
    .select("amount")
    .where("run_id", "in", runIds)
    .where("status", "=", "settled")
    .execute();
  return rows.reduce((sum, row) => sum + BigInt(row.amount), 0n);
}

describe("subscription races", () => {
  test("behavior: two subscribe steps of one service make one subscription renewed by one run; every payment is booked", async () => {
    const s = await setup();
    const runs = await Promise.all([commandRun(s, "a"), commandRun(s, "b")]);
    started.length = 0;
    const before = await agentBalance();
    const results = await Promise.allSettled(
      runs.map((run) =>
        startSubscription(testDb.db, {
          run,
          stepId: `${run.id}:0`,
          serviceId: s.serviceId,
          period: "daily",
        }),
      ),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(SubscriptionConflictError);
    // One renewal run, linked to the one subscription.
    expect(started).toEqual([
      { runId: won[0]!.renewalRunId, subscriptionId: won[0]!.subscription.id },
    ]);
    // Both steps may have passed the before-paying check together; whatever left the wallet is in
    // the books (the loser's first period is a settled payment of its run).
    const paidToSubscribe = before - (await agentBalance());
    expect(paidToSubscribe).toBe(await settledPayments(runs.map((run) => run.id)));
    expect(paidToSubscribe).toBeGreaterThanOrEqual(PRICE);

    // A renewal run that is not the subscription's (a stray start) ends without paying.
    const subscriptionId = won[0]!.subscription.id;
    await testDb.db
      .updateTable("service_subscriptions")
      .set({ current_period_end: new Date(Date.now() - 1000) })
      .where("id", "=", subscriptionId)
      .execute();
    const strayRunId = `run_stray_${s.tag}`;
    await testDb.db
      .insertInto("runs")
      .values({
        id: strayRunId,
        session_id: s.sessionId,
        kind: "subscription",
        command: "renew",
        status: "running",
        api_key_id: s.keyId,
      })
      .execute();
    const beforeRenewal = await agentBalance();
    const stray = await renewSubscription(testDb.db, {
      runId: strayRunId,
      subscriptionId,
      attempt: 1,
    });
    expect(stray).toEqual({ action: "stop", reason: "another run renews this subscription" });
    expect(await agentBalance()).toBe(beforeRenewal);
    const renewed = await renewSubscription(testDb.db, {
      runId: won[0]!.renewalRunId,
      subscriptionId,
      attempt: 1,
    });
    expect(renewed.action).toBe("wait");
    expect(beforeRenewal - (await agentBalance())).toBe(PRICE);
  }, 120_000);

  test("error: a second subscribe command of the same service is refused before it pays", async () => {
    const s = await setup();
    const first = await commandRun(s, "first");
    await startSubscription(testDb.db, {
      run: first,
      stepId: `${first.id}:0`,
      serviceId: s.serviceId,
      period: "daily",
    });
    const second = await commandRun(s, "second");
    const before = await agentBalance();
    await expect(
      startSubscription(testDb.db, {
        run: second,
        stepId: `${second.id}:0`,
        serviceId: s.serviceId,
        period: "daily",
      }),
    ).rejects.toThrow(SubscriptionConflictError);
    expect(await agentBalance()).toBe(before);
    expect(await settledPayments([second.id])).toBe(0n);
  }, 120_000);

  for (const how of ["an unsubscribe", "a closed session"] as const) {
    test(`behavior: ${how} accepted while a renewal is on the wire: nothing is paid, its reservation goes back`, async () => {
      const s = await setup();
      const { subscription, runId } = await dueSubscription(s);
      // Accepted in full (as the route does it) while the renewal's unpaid request is answered.
      feed.onUnpaid = async () => {
        if (how === "an unsubscribe") {
          const cancelled = await cancelSubscription(testDb.db, subscription.id);
          await stopRenewalRun(testDb.db, s.principal, cancelled.runId);
        } else {
          await closeSession(testDb.db, s.principal, s.sessionId);
        }
      };
      const before = await agentBalance();
      const step = await renewSubscription(testDb.db, {
        runId,
        subscriptionId: subscription.id,
        attempt: 1,
      });
      expect(feed.onUnpaid).toBeUndefined(); // the cancel did land mid-renewal
      expect(step.action).toBe("stop");
      expect(await agentBalance()).toBe(before);
      const ledger = await testDb.db
        .selectFrom("spend_ledger")
        .select("status")
        .where("run_id", "=", runId)
        .execute();
      expect(ledger.map((row) => row.status)).toEqual(["released"]);
      const payments = await testDb.db
        .selectFrom("payments")
        .select("status")
        .where("run_id", "=", runId)
        .execute();
      expect(payments.every((row) => row.status !== "settled")).toBe(true);
    }, 120_000);
  }

  test("behavior: a catalogue price raised above the one agreed at subscribing ends the subscription unpaid", async () => {
    const s = await setup({ allowedActions: all, maxPerAction: { amount: "100", token: "USD" } });
    const { subscription, runId } = await dueSubscription(s);
    expect(subscription.price).toEqual({ amount: PRICE.toString(), asset: fx.usdc });
    // An admin's edit, or a re-import of a listing the payee controls; the payee asks the same.
    const RAISED = 40_000_000n;
    await updateService(
      testDb.db,
      s.serviceId,
      { price: { amount: RAISED.toString() } },
      { cache },
    );
    feed.amount = RAISED;
    const before = await agentBalance();
    const step = await renewSubscription(testDb.db, {
      runId,
      subscriptionId: subscription.id,
      attempt: 1,
    });
    expect(step).toEqual({
      action: "stop",
      reason: `the service's price rose to ${RAISED} base units from the ${PRICE} agreed at subscribing; subscribe again to accept it`,
    });
    expect(await agentBalance()).toBe(before);
    expect((await getSubscription(testDb.db, subscription.id)).status).toBe("expired");
  }, 120_000);

  test("behavior: a renewal approved at one value and worth more when it pays is asked again, unpaid", async () => {
    const s = await setup({
      allowedActions: all,
      approvalThresholdUsd: "0.05",
      maxPerAction: { amount: "100", token: "USD" },
    });
    const { subscription, runId } = await dueSubscription(s);
    // Agreed at up to 1 USDC a day; the catalogue asks 0.10 when the approvers are asked.
    await testDb.db
      .updateTable("service_subscriptions")
      .set({ price_amount: "1000000" })
      .where("id", "=", subscription.id)
      .execute();
    const held = await renewSubscription(testDb.db, {
      runId,
      subscriptionId: subscription.id,
      attempt: 1,
    });
    if (held.action !== "approval") throw new Error(`expected an approval, got ${held.action}`);
    const approverKey = await createKey(testDb.db, { name: "approver", role: "approver" });
    await assignApprover(testDb.db, { approverKeyId: approverKey.id, agentKeyIds: [s.keyId] });
    const approver = {
      keyId: approverKey.id,
      role: "approver" as const,
      scope: "sessions" as const,
    };
    await decideApproval(testDb.db, approver, held.token, { decision: "approve" });

    const RAISED = 500_000n; // 0.50: under the agreed price, five times what was approved
    await updateService(
      testDb.db,
      s.serviceId,
      { price: { amount: RAISED.toString() } },
      { cache },
    );
    feed.amount = RAISED;
    const before = await agentBalance();
    const again = await renewSubscription(testDb.db, {
      runId,
      subscriptionId: subscription.id,
      attempt: 1,
    });
    expect(again.action).toBe("approval");
    expect(again.action === "approval" && again.token).not.toBe(held.token);
    expect(await agentBalance()).toBe(before);

    // Approved at the new value, it pays that.
    if (again.action !== "approval") return;
    await decideApproval(testDb.db, approver, again.token, { decision: "approve" });
    expect(
      (await renewSubscription(testDb.db, { runId, subscriptionId: subscription.id, attempt: 1 }))
        .action,
    ).toBe("wait");
    expect(before - (await agentBalance())).toBe(RAISED);
  }, 120_000);
});
