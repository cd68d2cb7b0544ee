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

/** Set: the next subscribe step dies once its first period is paid, before it is recorded. */
const crash = { afterPaying: false };
vi.mock("../../../lib/subscriptions/createSubscription.js", async (importOriginal) => {
  const original =
    await importOriginal<typeof import("../../../lib/subscriptions/createSubscription.js")>();
  return {
    ...original,
    createSubscription: async (...args: Parameters<typeof original.createSubscription>) => {
      if (crash.afterPaying) {
        crash.afterPaying = false;
        throw new Error("the host died after paying");
      }
      return original.createSubscription(...args);
    },
  };
});

const { createKey } = await import("../../../lib/auth/createKey.js");
const { assignApprover } = await import("../../../lib/auth/assignApprover.js");
const { cancelRun } = await import("../../../lib/runs/wake/cancelRun.js");
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
const { claimSubscription } = await import("../../../lib/subscriptions/claimSubscription.js");
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

/** Every payment row of the runs, whatever its status: what their steps signed or meant to. */
async function paymentRows(runIds: string[]) {
  return testDb.db
    .selectFrom("payments")
    .select(["status", "amount"])
    .where("run_id", "in", runIds)
    .execute();
}

async function claims(s: Setup) {
  return testDb.db
    .selectFrom("subscription_claims")
    .select(["run_id", "step_id", "subscription_id"])
    .where("session_id", "=", s.sessionId)
    .where("service_id", "=", s.serviceId)
    .execute();
}

function subscribe(s: Setup, run: Awaited<ReturnType<typeof commandRun>>) {
  return startSubscription(testDb.db, {
    run,
    stepId: `${run.id}:0`,
    serviceId: s.serviceId,
    period: "daily",
  });
}

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
  test("behavior: two subscribe steps of one service make one subscription renewed by one run; only one pays", async () => {
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
    // The slot is claimed before paying: one first period left the wallet, and the loser signed
    // nothing (no payment row of its run at all).
    const paidToSubscribe = before - (await agentBalance());
    expect(paidToSubscribe).toBe(PRICE);
    expect(await settledPayments(runs.map((run) => run.id))).toBe(PRICE);
    const loser = runs[results.findIndex((r) => r.status === "rejected")]!;
    expect(await paymentRows([loser.id])).toEqual([]);
    // The subscription holds the slot now; the winner's claim is gone with its insert.
    expect(await claims(s)).toEqual([]);

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

  test("behavior: a first payment that fails gives the slot back: a later subscribe pays, the failed step's retry is refused unsigned", async () => {
    const s = await setup();
    const [a, b] = [await commandRun(s, "a"), await commandRun(s, "b")];
    const before = await agentBalance();
    // The payee asks more than the step may pay: refused before signing.
    feed.amount = PRICE * 2n;
    await expect(subscribe(s, a)).rejects.toThrow();
    expect(await agentBalance()).toBe(before);
    expect(await claims(s)).toEqual([]);

    feed.amount = PRICE;
    const subscribed = await subscribe(s, b);
    expect(subscribed.subscription.status).toBe("active");
    expect(before - (await agentBalance())).toBe(PRICE);
    // A retry of the failed step now finds the slot taken: refused, nothing signed.
    await expect(subscribe(s, a)).rejects.toThrow(SubscriptionConflictError);
    expect(before - (await agentBalance())).toBe(PRICE);
    expect((await paymentRows([a.id])).every((row) => row.status !== "settled")).toBe(true);
  }, 120_000);

  test("behavior: a step that dies after paying keeps the slot: another step is refused unsigned, its own retry makes the subscription without paying again", async () => {
    const s = await setup();
    const [a, b] = [await commandRun(s, "a"), await commandRun(s, "b")];
    started.length = 0;
    const before = await agentBalance();
    crash.afterPaying = true;
    await expect(subscribe(s, a)).rejects.toThrow("the host died after paying");
    expect(before - (await agentBalance())).toBe(PRICE);
    expect(await claims(s)).toEqual([
      expect.objectContaining({ run_id: a.id, step_id: `${a.id}:0` }),
    ]);

    const refused = await subscribe(s, b).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SubscriptionConflictError);
    expect((refused as Error).message).toContain("being paid");
    expect(await paymentRows([b.id])).toEqual([]);

    const retried = await subscribe(s, a);
    expect(retried.subscription.status).toBe("active");
    expect(retried.subscription.renewals).toBe(1);
    expect(before - (await agentBalance())).toBe(PRICE);
    expect(started).toEqual([
      { runId: retried.renewalRunId, subscriptionId: retried.subscription.id },
    ]);
    expect(await claims(s)).toEqual([]);
  }, 120_000);

  test("behavior: a claim never blocks for good: taken over once its run ended, unless a payment of it may still settle", async () => {
    const s = await setup();
    const [a, b] = [await commandRun(s, "a"), await commandRun(s, "b")];
    // Step a claimed the slot, then its host died before paying.
    await claimSubscription(testDb.db, {
      sessionId: s.sessionId,
      serviceId: s.serviceId,
      subscriptionId: `sub_a_${s.tag}`,
      renewalRunId: `run_renew_a_${s.tag}`,
      runId: a.id,
      stepId: `${a.id}:0`,
    });
    const before = await agentBalance();
    await expect(subscribe(s, b)).rejects.toThrow(SubscriptionConflictError);
    // Its run ended (a stalled run is failed), but a payment it sent is still unknown: kept.
    await testDb.db.updateTable("runs").set({ status: "failed" }).where("id", "=", a.id).execute();
    const nonce = `0x${randomUUID().replaceAll("-", "")}`;
    await testDb.db
      .insertInto("payments")
      .values({
        id: `pay_${s.tag}`,
        run_id: a.id,
        step_id: `${a.id}:0`,
        session_id: s.sessionId,
        resource_url: `${fx.baseUrl}${FEED}`,
        amount: PRICE.toString(),
        asset: fx.usdc,
        network: `eip155:${fx.devnet.chainId}`,
        pay_to: fx.agent.address,
        nonce,
        status: "unknown",
      })
      .execute();
    await expect(subscribe(s, b)).rejects.toThrow(SubscriptionConflictError);
    expect(await paymentRows([b.id])).toEqual([]);
    // The chain says it expired unused: the claim is dead and the next subscribe takes the slot.
    await testDb.db
      .updateTable("payments")
      .set({ status: "expired" })
      .where("nonce", "=", nonce)
      .execute();
    const subscribed = await subscribe(s, b);
    expect(subscribed.subscription.status).toBe("active");
    expect(before - (await agentBalance())).toBe(PRICE);
    expect(await claims(s)).toEqual([]);
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

/** The step's budget reservation, as the gate makes it before a command's subscribe step pays. */
async function reserveStep(s: Setup, runId: string) {
  await testDb.db
    .insertInto("spend_ledger")
    .values({
      id: `${runId}:0`,
      session_id: s.sessionId,
      run_id: runId,
      token: "USDC",
      amount: PRICE.toString(),
      status: "reserved",
      day: new Date().toISOString().slice(0, 10),
    })
    .execute();
}

function subscribeStep(
  s: Setup,
  run: Awaited<ReturnType<typeof commandRun>>,
  checkPayee?: () => Promise<void>,
) {
  return startSubscription(testDb.db, {
    run,
    stepId: `${run.id}:0`,
    stepIndex: 0,
    serviceId: s.serviceId,
    period: "daily",
    ...(checkPayee ? { checkPayee } : {}),
  });
}

describe("a subscribe step's claim while its reservation is held (found by review)", () => {
  test("behavior: a run cancelled while its subscribe step is on the wire keeps the slot; a second subscribe is refused unsigned", async () => {
    const s = await setup();
    const [a, b] = [await commandRun(s, "cancelled"), await commandRun(s, "second")];
    await reserveStep(s, a.id);
    await reserveStep(s, b.id);
    const before = await agentBalance();
    let second: unknown;
    // a has claimed and waits for the payee's 402 when the user cancels it and subscribes again.
    feed.onUnpaid = async () => {
      await cancelRun(testDb.db, s.principal, a.id);
      second = await subscribeStep(s, b).catch((error: unknown) => error);
    };
    await subscribeStep(s, a).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(SubscriptionConflictError);
    // Before: the cancelled run's claim was taken over and both steps paid a first period.
    expect(before - (await agentBalance())).toBe(PRICE);
    expect(await paymentRows([b.id])).toEqual([]);
  }, 120_000);

  test("behavior: a delivery that fails before signing does not give the slot back while another delivery of the step may sign", async () => {
    const s = await setup();
    const [a, b] = [await commandRun(s, "twice"), await commandRun(s, "other")];
    await reserveStep(s, a.id);
    await reserveStep(s, b.id);
    const before = await agentBalance();
    let firstGaveUp!: () => void;
    const gaveUp = new Promise<void>((resolve) => {
      firstGaveUp = resolve;
    });
    let secondAtPayeeCheck!: () => void;
    const atPayeeCheck = new Promise<void>((resolve) => {
      secondAtPayeeCheck = resolve;
    });
    let other: unknown;
    const first = subscribeStep(s, a, async () => {
      await atPayeeCheck;
      throw new Error("connection reset before signing");
    })
      .catch((error: unknown) => error)
      .finally(() => firstGaveUp());
    const second = subscribeStep(s, a, async () => {
      secondAtPayeeCheck();
      await gaveUp;
      other = await subscribeStep(s, b).catch((error: unknown) => error);
    }).catch((error: unknown) => error);
    await Promise.all([first, second]);
    expect(other).toBeInstanceOf(SubscriptionConflictError);
    // Before: the first delivery released the claim, the other run paid, then the second delivery.
    expect(before - (await agentBalance())).toBe(PRICE);
  }, 120_000);
});
