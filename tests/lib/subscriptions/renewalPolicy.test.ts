import { randomUUID } from "node:crypto";
import { encodePaymentRequiredHeader } from "@x402/core/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RetryableError } from "workflow";
import { decideApproval } from "../../../lib/approvals/decideApproval.js";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { assignApprover } from "../../../lib/auth/assignApprover.js";
import type { Principal } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { setFrozen } from "../../../lib/freeze/setFrozen.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { listPolicyDecisions } from "../../../lib/policy/recordPolicyDecision.js";
import { updatePolicy } from "../../../lib/policy/updatePolicy.js";
import { createService } from "../../../lib/registry/index.js";
import { cancelSubscription } from "../../../lib/subscriptions/cancelSubscription.js";
import { createSubscription } from "../../../lib/subscriptions/createSubscription.js";
import { getSubscription } from "../../../lib/subscriptions/getSubscription.js";
import { attachRenewalRun } from "../../../lib/subscriptions/renewal/attachRenewalRun.js";
import {
  RENEWAL_RETRY_DELAY_SECONDS,
  type RenewalStep,
  renewSubscription,
} from "../../../lib/subscriptions/renewal/renewSubscription.js";
import { startSubscription } from "../../../lib/subscriptions/startSubscription.js";
import { servePaidRequest } from "../../../lib/x402/createPaidRoute.js";
import { PriceAboveLimitError } from "../../../lib/x402/errors.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { runEventTypes } from "../../helpers/runs.js";
import { startX402Fixture, type X402Fixture } from "../x402/x402Fixture.js";

/**
 * Renewals pass the policy gate right before they pay (issue 13), like every other spend: real
 * devnet (anvil), real x402 routes and facilitator, real Postgres. A freeze defers the renewal, a
 * tightened policy ends the subscription, and a retried renewal reserves and pays once.
 */
let fx: X402Fixture;
let testDb: TestDb;
const cache = createMemoryCache();
const PRICE = 100_000n; // 0.10 USDC per period
const all = ["balance", "transfer", "swap", "pay", "discover", "subscribe", "unsubscribe"];

/** The service's paid resource: 0.10 USDC through x402, paid to the devnet merchant. */
const FEED = "/test/feed";
/** Answers 503 (before any 402) while `flaky.failures` > 0: a transient outage. */
const FLAKY = "/test/flaky-feed";
const flaky = { failures: 0 };
/** Asks twice the price on its 402 while `pricey.times` > 0: the payer refuses unsigned. */
const PRICEY = "/test/pricey-feed";
const pricey = { times: 0 };
/** Takes the signed payment and answers 502 while `hostile.times` > 0: a payee failed after signing. */
const HOSTILE = "/test/hostile-feed";
const hostile = { times: 0 };

beforeAll(async () => {
  [fx, testDb] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  const paid = (path: string) => (request: Request) =>
    servePaidRequest(request, {
      path,
      amount: PRICE.toString(),
      description: "a news feed, paid per period",
      handler: async () => Response.json({ headlines: ["renewed"] }),
    });
  fx.serve(FEED, paid(FEED));
  fx.serve(FLAKY, (request) => {
    if (flaky.failures <= 0) return paid(FLAKY)(request);
    flaky.failures--;
    return new Response("busy", { status: 503 });
  });
  fx.serve(HOSTILE, (request) => {
    if (hostile.times <= 0 || !request.headers.get("payment-signature")) {
      return paid(HOSTILE)(request);
    }
    hostile.times--;
    return new Response("bad gateway", { status: 502 });
  });
  fx.serve(PRICEY, (request) => {
    if (pricey.times <= 0) return paid(PRICEY)(request);
    pricey.times--;
    return new Response("{}", {
      status: 402,
      headers: {
        "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
          x402Version: 2,
          resource: { url: `${fx.baseUrl}${PRICEY}` },
          accepts: [
            {
              scheme: "exact",
              network: `eip155:${fx.devnet.chainId}`,
              amount: (PRICE * 2n).toString(),
              asset: fx.usdc,
              payTo: fx.devnet.accounts.merchant.address,
              maxTimeoutSeconds: 120,
              extra: { name: "Paygent USD", version: "2" },
            },
          ],
        }),
      },
    });
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([fx?.stop(), testDb?.dispose()]);
});

interface Subscribed {
  keyId: string;
  policyId: string;
  serviceId: string;
  sessionId: string;
  subscriptionId: string;
  /** The renewal run (kind "subscription"). */
  runId: string;
}

/**
 * An agent key under `document`, a session of it, and a daily subscription to a service at `path`
 * whose renewal is due now, linked to its renewal run (as startSubscription leaves it).
 */
async function subscribe(
  document: unknown,
  path = FEED,
  session: { budget?: { amount: string; token: string } } = {},
): Promise<Subscribed> {
  const policy = await createPolicy(testDb.db, { document });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  const tag = randomUUID().slice(0, 8);
  const service = await createService(
    testDb.db,
    {
      name: `Feed ${tag}`,
      category: "news",
      endpoint: `${fx.baseUrl}${path}`,
      pricingModel: "subscription",
      price: {
        amount: PRICE.toString(),
        asset: fx.usdc,
        network: `eip155:${fx.devnet.chainId}`,
      },
    },
    { cache },
  );
  const sessionId = `ses_${tag}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({
      id: sessionId,
      api_key_id: key.id,
      budget_amount: session.budget?.amount ?? null,
      budget_token: session.budget?.token ?? null,
    })
    .execute();
  const subscription = await createSubscription(testDb.db, {
    sessionId,
    serviceId: service.id,
    period: "daily",
  });
  const runId = `run_renew_${tag}`;
  await testDb.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      kind: "subscription",
      command: `renew Feed ${tag} daily`,
      status: "running",
      options: JSON.stringify({ subscriptionId: subscription.id }),
      api_key_id: key.id,
    })
    .execute();
  await attachRenewalRun(testDb.db, subscription.id, runId);
  return {
    keyId: key.id,
    policyId: policy.id,
    serviceId: service.id,
    sessionId,
    subscriptionId: subscription.id,
    runId,
  };
}

const renew = (
  sub: Subscribed,
  attempt = 1,
  options: { approvalTimedOut?: boolean } = {},
): Promise<RenewalStep> =>
  renewSubscription(testDb.db, {
    runId: sub.runId,
    subscriptionId: sub.subscriptionId,
    attempt,
    ...options,
  });

async function approvalRow(token: string) {
  return await testDb.db
    .selectFrom("approval_requests")
    .selectAll()
    .where("token", "=", token)
    .executeTakeFirstOrThrow();
}

async function approvalCount(runId: string): Promise<number> {
  const rows = await testDb.db
    .selectFrom("approval_requests")
    .select("token")
    .where("run_id", "=", runId)
    .execute();
  return rows.length;
}

function eventTypes(runId: string): Promise<string[]> {
  return runEventTypes(testDb.db, runId);
}

/** A person's approver key assigned to the agent key, as the approvals endpoint authenticates it. */
async function approverPrincipal(agentKeyId: string): Promise<Principal> {
  const key = await createKey(testDb.db, { name: "approver", role: "approver" });
  await assignApprover(testDb.db, { approverKeyId: key.id, agentKeyIds: [agentKeyId] });
  return { keyId: key.id, role: "approver", scope: "sessions" };
}

/** Makes the paid period end now, so the next step renews. */
async function makeDue(sub: Subscribed): Promise<void> {
  await testDb.db
    .updateTable("service_subscriptions")
    .set({ current_period_end: new Date(Date.now() - 1000) })
    .where("id", "=", sub.subscriptionId)
    .execute();
}

const agentBalance = () => fx.usdcBalance(fx.agent.address);

/** What moved or was reserved for the run: payments, budget ledger, policy window ledger. */
async function books(runId: string) {
  const [payments, budget, windows] = await Promise.all([
    testDb.db
      .selectFrom("payments")
      .select(["step_id", "status", "amount"])
      .where("run_id", "=", runId)
      .orderBy("created_at")
      .execute(),
    testDb.db
      .selectFrom("spend_ledger")
      .select(["id", "status", "amount"])
      .where("run_id", "=", runId)
      .orderBy("id")
      .execute(),
    testDb.db
      .selectFrom("policy_reservations")
      .select(["id", "status", "amount"])
      .where("run_id", "=", runId)
      .orderBy("id")
      .execute(),
  ]);
  const amounts = <T extends { amount: unknown }>(rows: T[]) =>
    rows.map((row) => ({ ...row, amount: String(row.amount) }));
  return { payments: amounts(payments), budget: amounts(budget), windows: amounts(windows) };
}

/** The first renewal paid the price once, and every ledger booked it: payment, budget, windows. */
async function expectFirstRenewalPaidOnce(sub: Subscribed, balanceBefore: bigint): Promise<void> {
  expect(balanceBefore - (await agentBalance())).toBe(PRICE);
  expect(await books(sub.runId)).toEqual({
    payments: [{ step_id: `${sub.runId}:renewal:0`, status: "settled", amount: "100000" }],
    budget: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
    windows: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
  });
  expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
    status: "active",
    renewals: 1,
  });
}

async function runRow(runId: string) {
  return await testDb.db
    .selectFrom("runs")
    .select(["status", "error"])
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
}

describe("renewal policy gate", () => {
  test("behavior: a wallet frozen after subscribing defers the renewal without moving money; it renews after the unfreeze", async () => {
    const sub = await subscribe({ allowedActions: all });
    const before = await agentBalance();
    const signed = fx.signedRequests(FEED);
    await setFrozen(testDb.db, { target: "wallet", frozen: true, reason: "incident 7" });
    try {
      expect(await renew(sub)).toEqual({
        action: "retry",
        afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
      });
      // Still frozen at the next try: still nothing, and one event for the stream, not one a try.
      expect(await renew(sub)).toEqual({
        action: "retry",
        afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
      });
    } finally {
      await setFrozen(testDb.db, { target: "wallet", frozen: false });
    }
    expect(await agentBalance()).toBe(before);
    expect(fx.signedRequests(FEED)).toBe(signed);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      status: "active",
      renewals: 0,
      consecutiveFailures: 0,
    });
    expect((await runRow(sub.runId)).status).toBe("running");
    const events = await testDb.db
      .selectFrom("run_events")
      .select(["type", "data"])
      .where("run_id", "=", sub.runId)
      .execute();
    expect(events).toEqual([
      {
        type: "step.finished",
        data: {
          action: "renew",
          status: "deferred",
          renewals: 0,
          rule: "frozen.wallet",
          reason:
            "renewal refused: the agent wallet is frozen (incident 7); no money moves until an admin unfreezes it (rule frozen.wallet)",
          retryAfterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
        },
      },
    ]);

    // Unfrozen: the next try renews, once.
    const step = await renew(sub);
    expect(step.action).toBe("wait");
    await expectFirstRenewalPaidOnce(sub, before);
    expect(
      (await listPolicyDecisions(testDb.db, sub.runId)).map((d) => [d.outcome, d.rule]),
    ).toEqual([
      ["refuse", "frozen.wallet"],
      ["allow", "allowed"],
    ]);
  });

  test("behavior: a frozen key defers its renewals the same way", async () => {
    const sub = await subscribe({ allowedActions: all });
    await setFrozen(testDb.db, { target: { keyId: sub.keyId }, frozen: true });
    expect(await renew(sub)).toEqual({
      action: "retry",
      afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
    });
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("active");
    await setFrozen(testDb.db, { target: { keyId: sub.keyId }, frozen: false });
    expect((await renew(sub)).action).toBe("wait");
    expect((await getSubscription(testDb.db, sub.subscriptionId)).renewals).toBe(1);
  });

  test("behavior: maxPerAction lowered below the price after a paid renewal refuses the next one and ends the subscription naming the rule", async () => {
    const sub = await subscribe({
      allowedActions: all,
      maxPerAction: { amount: "1", token: "USD" },
    });
    expect((await renew(sub)).action).toBe("wait");
    await updatePolicy(testDb.db, {
      id: sub.policyId,
      document: { allowedActions: all, maxPerAction: { amount: "0.05", token: "USD" } },
    });
    await makeDue(sub);
    const before = await agentBalance();
    const signed = fx.signedRequests(FEED);

    const step = await renew(sub);
    const reason =
      "renewal refused: 0.1 USDC is above the policy's maxPerAction of 0.05 USD (rule maxPerAction)";
    expect(step).toEqual({ action: "stop", reason });
    expect(await agentBalance()).toBe(before);
    expect(fx.signedRequests(FEED)).toBe(signed);
    // Only the first renewal, paid under version 1, is on the books; the refused one left nothing.
    const { payments, budget, windows } = await books(sub.runId);
    expect([payments.length, budget, windows]).toEqual([
      1,
      [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
      [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
    ]);
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      status: "expired",
      renewals: 1,
    });
    const run = await runRow(sub.runId);
    expect(run).toMatchObject({
      status: "failed",
      error: { code: "subscription_ended", message: reason },
    });
    expect((await listPolicyDecisions(testDb.db, sub.runId)).at(-1)).toMatchObject({
      outcome: "refuse",
      rule: "maxPerAction",
      policyVersion: 2,
    });
    // The workflow asks again after stopping (a replay): it stays stopped, nothing moves.
    expect((await renew(sub)).action).toBe("stop");
    expect(await agentBalance()).toBe(before);
  });

  test("behavior: a service taken off the key's counterparty allow list ends the subscription at its next renewal", async () => {
    const sub = await subscribe({ allowedActions: all });
    await updatePolicy(testDb.db, {
      id: sub.policyId,
      document: { allowedActions: all, counterparties: { allow: ["svc_other"] } },
    });
    const before = await agentBalance();
    const step = await renew(sub);
    expect(step.action).toBe("stop");
    expect(step.action === "stop" && step.reason).toContain("(rule counterparties.allow)");
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("expired");
  });

  test("error: a first period priced above what its step reserved is refused unsigned", async () => {
    // The catalogue's price rose between the step's reservation and its payment.
    const sub = await subscribe({ allowedActions: all });
    // A subscribe of a service the session already subscribes to is refused before paying: this
    // one comes after the first was cancelled.
    await cancelSubscription(testDb.db, sub.subscriptionId);
    const runId = `run_first_${randomUUID().slice(0, 8)}`;
    const run = await testDb.db
      .insertInto("runs")
      .values({ id: runId, session_id: sub.sessionId, command: "subscribe", status: "running" })
      .returningAll()
      .executeTakeFirstOrThrow();
    const before = await agentBalance();
    await expect(
      startSubscription(testDb.db, {
        run,
        stepId: `${runId}:0`,
        stepIndex: 0,
        serviceId: sub.serviceId,
        period: "daily",
        maxAmount: PRICE - 1n,
      }),
    ).rejects.toThrow(PriceAboveLimitError);
    expect(await agentBalance()).toBe(before);
    expect(await books(runId)).toMatchObject({ payments: [] });
  });

  test("behavior: a payTo put on the key's deny list ends the subscription at its next renewal, unsigned", async () => {
    const sub = await subscribe({ allowedActions: all });
    // The gate knows the service and its host only; the payee the 402 names is checked before
    // signing (guardPayee), so a deny on the merchant's address holds too.
    await updatePolicy(testDb.db, {
      id: sub.policyId,
      document: {
        allowedActions: all,
        counterparties: { deny: [fx.devnet.accounts.merchant.address] },
      },
    });
    const before = await agentBalance();
    const step = await renew(sub);
    expect(step.action).toBe("stop");
    expect(step.action === "stop" && step.reason).toContain("(rule counterparties.deny)");
    expect(await agentBalance()).toBe(before);
    expect((await books(sub.runId)).payments).toEqual([]);
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("expired");
  });

  test("behavior: a renewal that needs approval asks approvers and waits, moving nothing; approved, it pays once", async () => {
    const sub = await subscribe({ allowedActions: all, approvalThresholdUsd: "0.05" });
    const before = await agentBalance();
    const signed = fx.signedRequests(FEED);
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    expect(step.timeoutSeconds).toBeGreaterThan(0);
    const request = await approvalRow(step.token);
    expect(request).toMatchObject({
      run_id: sub.runId,
      session_id: sub.sessionId,
      step_index: 0,
      status: "pending",
      required_approvals: 1,
      agent_key_id: sub.keyId,
      policy_id: sub.policyId,
      rule: "approvalThresholdUsd",
      action: { type: "subscribe", serviceId: sub.serviceId, period: "daily" },
    });
    expect(request.reason).toBe(
      `renewal for period 1 of the subscription ${sub.subscriptionId}: held: 0.1 USDC is above the 0.05 USD threshold; needs 1 approval`,
    );
    expect((await runRow(sub.runId)).status).toBe("waiting_approval");
    expect(await eventTypes(sub.runId)).toEqual(["approval.required"]);
    // Woken before anyone decided (a lost race): the same request, no second one.
    const again = await renew(sub);
    expect(again).toMatchObject({ action: "approval", token: step.token });
    expect(await approvalCount(sub.runId)).toBe(1);
    expect(await agentBalance()).toBe(before);
    expect(fx.signedRequests(FEED)).toBe(signed);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });

    // The agent key cannot approve its own renewal, and a renewal cannot be edited.
    const agent = { keyId: sub.keyId, role: "agent" as const, scope: "sessions" as const };
    await expect(
      decideApproval(testDb.db, agent, step.token, { decision: "approve" }),
    ).rejects.toMatchObject({ status: 403 });
    const approver = await approverPrincipal(sub.keyId);
    await expect(
      decideApproval(testDb.db, approver, step.token, {
        decision: "edit",
        args: { period: "weekly" },
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: "A subscription renewal's approval cannot be edited: approve or reject it",
    });
    expect((await approvalRow(step.token)).status).toBe("pending");

    const decided = await decideApproval(testDb.db, approver, step.token, { decision: "approve" });
    expect(decided).toMatchObject({ status: "approved", approvals: 1, required: 1 });
    const paid = await renew(sub);
    expect(paid.action).toBe("wait");
    await expectFirstRenewalPaidOnce(sub, before);
    expect((await runRow(sub.runId)).status).toBe("running");
    expect(
      (await listPolicyDecisions(testDb.db, sub.runId)).map((d) => [d.outcome, d.rule]),
    ).toEqual([
      // Held once: the wake before the decision read the pending request and gated nothing.
      ["hold", "approvalThresholdUsd"],
      ["allow", "approvalThresholdUsd"],
    ]);

    // The next period needs an approval of its own: the first one does not carry over.
    await makeDue(sub);
    const next = await renew(sub);
    expect(next.action).toBe("approval");
    expect(next.action === "approval" && next.token).not.toBe(step.token);
    expect(await approvalRow(next.action === "approval" ? next.token : "")).toMatchObject({
      step_index: 1,
      status: "pending",
    });
    expect(before - (await agentBalance())).toBe(PRICE);
  });

  test("behavior: under a policy tightened to approvers: assigned, a renewal approved only by an unassigned approver is asked again; an assigned approver's vote pays it", async () => {
    const document = (approvers: "any" | "assigned") => ({
      allowedActions: all,
      approvalThresholdUsd: "0.05",
      approvals: { required: 1, approvers },
    });
    const sub = await subscribe(document("any"));
    const before = await agentBalance();
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    // Open to any approver when it was asked: an approver not assigned to the key approves.
    const strangerKey = await createKey(testDb.db, { name: "stranger", role: "approver" });
    const stranger: Principal = { keyId: strangerKey.id, role: "approver", scope: "sessions" };
    expect(
      await decideApproval(testDb.db, stranger, step.token, { decision: "approve" }),
    ).toMatchObject({ status: "approved" });
    // The admin tightens the policy before the renewal runs: that vote no longer counts.
    await updatePolicy(testDb.db, { id: sub.policyId, document: document("assigned") });
    const asked = await renew(sub);
    if (asked.action !== "approval")
      throw new Error(`expected a new approval wait, got ${asked.action}`);
    expect(asked.token).not.toBe(step.token);
    expect(await approvalRow(asked.token)).toMatchObject({
      status: "pending",
      approvers: "assigned",
      required_approvals: 1,
    });
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });

    const approver = await approverPrincipal(sub.keyId);
    await decideApproval(testDb.db, approver, asked.token, { decision: "approve" });
    expect((await renew(sub)).action).toBe("wait");
    await expectFirstRenewalPaidOnce(sub, before);
  });

  test("behavior: a renewal approved by a key revoked before it runs moves nothing and is asked again", async () => {
    const sub = await subscribe({ allowedActions: all, approvalThresholdUsd: "0.05" });
    const before = await agentBalance();
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    const mallory = await approverPrincipal(sub.keyId);
    await decideApproval(testDb.db, mallory, step.token, { decision: "approve" });
    await revokeApiKey(testDb.db, mallory.keyId);
    const asked = await renew(sub);
    if (asked.action !== "approval")
      throw new Error(`expected a new approval wait, got ${asked.action}`);
    expect(asked.token).not.toBe(step.token);
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });

    await decideApproval(testDb.db, await approverPrincipal(sub.keyId), asked.token, {
      decision: "approve",
    });
    expect((await renew(sub)).action).toBe("wait");
    await expectFirstRenewalPaidOnce(sub, before);
  });

  test("behavior: a rejected renewal approval ends the subscription and moves nothing", async () => {
    const sub = await subscribe({ allowedActions: all, approvalThresholdUsd: "0.05" });
    const before = await agentBalance();
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    await decideApproval(testDb.db, await approverPrincipal(sub.keyId), step.token, {
      decision: "reject",
      comment: "too dear",
    });
    expect(await renew(sub)).toEqual({
      action: "stop",
      reason: `renewal for period 1 was not approved (approval ${step.token} rejected)`,
    });
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("expired");
    expect(await runRow(sub.runId)).toMatchObject({
      status: "failed",
      error: {
        code: "subscription_ended",
        message: `renewal for period 1 was not approved (approval ${step.token} rejected)`,
      },
    });
  });

  test("behavior: an approval wait that timed out expires the request and ends the subscription; a late vote is refused", async () => {
    const sub = await subscribe({ allowedActions: all, approvalThresholdUsd: "0.05" });
    const before = await agentBalance();
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    // The workflow's timer fired: the request expires even if a clock says a moment is left.
    expect(await renew(sub, 1, { approvalTimedOut: true })).toEqual({
      action: "stop",
      reason: `renewal for period 1 was not approved (approval ${step.token} expired)`,
    });
    expect((await approvalRow(step.token)).status).toBe("expired");
    await expect(
      decideApproval(testDb.db, await approverPrincipal(sub.keyId), step.token, {
        decision: "approve",
      }),
    ).rejects.toMatchObject({ status: 410 });
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("expired");
  });

  test("behavior: a subscription cancelled while its renewal waits for approval cancels the request", async () => {
    const sub = await subscribe({ allowedActions: all, approvalThresholdUsd: "0.05" });
    const step = await renew(sub);
    if (step.action !== "approval")
      throw new Error(`expected an approval wait, got ${step.action}`);
    await cancelSubscription(testDb.db, sub.subscriptionId);
    expect((await renew(sub)).action).toBe("stop");
    expect((await approvalRow(step.token)).status).toBe("cancelled");
    expect(await books(sub.runId)).toEqual({ payments: [], budget: [], windows: [] });
  });

  test("behavior: a session budgeted in USD renews, its budget counting the period in dollars", async () => {
    // 0.25 USD: room for two 0.10 USDC periods (the devnet prices USDC at one dollar), not three.
    const sub = await subscribe({ allowedActions: all }, FEED, {
      budget: { amount: "250000", token: "USD" },
    });
    const before = await agentBalance();
    expect((await renew(sub)).action).toBe("wait");
    const ledger = await testDb.db
      .selectFrom("spend_ledger")
      .select(["token", "amount", "usd_amount", "status"])
      .where("run_id", "=", sub.runId)
      .execute();
    expect(ledger.map((row) => ({ ...row, amount: String(row.amount) }))).toEqual([
      { token: "USDC", amount: "100000", usd_amount: "0.100000", status: "settled" },
    ]);
    await makeDue(sub);
    expect((await renew(sub)).action).toBe("wait");
    await makeDue(sub);
    const third = await renew(sub);
    expect(third.action).toBe("stop");
    expect(third.action === "stop" && third.reason).toMatch(/^renewal refused: .*budget/i);
    expect(before - (await agentBalance())).toBe(2n * PRICE);
    expect((await getSubscription(testDb.db, sub.subscriptionId)).status).toBe("expired");
  });

  test("behavior: a renewal retried after an allowed gate reserves and pays once (transient outage, then a crash before recording)", async () => {
    const sub = await subscribe(
      { allowedActions: all, windows: [{ period: "day", maxCount: 5 }] },
      FLAKY,
    );
    const before = await agentBalance();
    flaky.failures = 1;
    const error = await renew(sub, 1).catch((e: unknown) => e);
    expect(RetryableError.is(error)).toBe(true);
    // Gate allowed and both reservations made; nothing signed, nothing paid.
    expect(await books(sub.runId)).toEqual({
      payments: [],
      budget: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
    });

    expect((await renew(sub, 2)).action).toBe("wait");
    const paid = {
      payments: [{ step_id: `${sub.runId}:renewal:0`, status: "settled", amount: "100000" }],
      budget: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
    };
    expect(await books(sub.runId)).toEqual(paid);
    expect(before - (await agentBalance())).toBe(PRICE);

    // The host dies after paying and before recording the renewal: the step runs again with the
    // subscription as the crash left it. It finds its reservations and its settled payment.
    const first = await getSubscription(testDb.db, sub.subscriptionId);
    await testDb.db
      .updateTable("service_subscriptions")
      .set({ renewals: 0, current_period_end: new Date(Date.now() - 1000) })
      .where("id", "=", sub.subscriptionId)
      .execute();
    const signed = fx.signedRequests(FLAKY);
    expect((await renew(sub, 1)).action).toBe("wait");
    expect(fx.signedRequests(FLAKY)).toBe(signed);
    expect(await books(sub.runId)).toEqual(paid);
    expect(before - (await agentBalance())).toBe(PRICE);
    expect((await getSubscription(testDb.db, sub.subscriptionId)).renewals).toBe(first.renewals);
    // One allowed decision, recorded once across the three attempts; the window counted it once.
    expect(
      (await listPolicyDecisions(testDb.db, sub.runId)).map((d) => [d.outcome, d.rule]),
    ).toEqual([["allow", "allowed"]]);
  });

  test("behavior: a failed renewal keeps its reservations for its retry, which pays once and books both ledgers", async () => {
    const sub = await subscribe(
      { allowedActions: all, windows: [{ period: "day", maxCount: 5 }] },
      PRICEY,
    );
    const before = await agentBalance();
    pricey.times = 1;
    expect(await renew(sub)).toEqual({
      action: "retry",
      afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
    });
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      status: "active",
      renewals: 0,
      consecutiveFailures: 1,
    });
    // Released here, the retry would replay the released ids and pay without being counted.
    expect(await books(sub.runId)).toEqual({
      payments: [],
      budget: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
    });

    expect((await renew(sub)).action).toBe("wait");
    expect(before - (await agentBalance())).toBe(PRICE);
    expect(await books(sub.runId)).toEqual({
      payments: [{ step_id: `${sub.runId}:renewal:0`, status: "settled", amount: "100000" }],
      budget: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "settled", amount: "100000" }],
    });
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      renewals: 1,
      consecutiveFailures: 0,
    });
  });

  test("error: a retry after the catalogue price was raised pays no more than its replayed reservation counted", async () => {
    // The service asks twice the price; the first attempt refuses unsigned and keeps its
    // reservations at the old price for the retry. Then the catalogue is raised to what the
    // service asks (an admin's edit, or a Bazaar import of the service's own listing).
    const sub = await subscribe(
      { allowedActions: all, windows: [{ period: "day", amount: "1", token: "USDC" }] },
      PRICEY,
      { budget: { amount: "150000", token: "USDC" } },
    );
    // Agreed at 0.20 when subscribing; the catalogue has since dropped to 0.10 (a rise above the
    // agreed price ends the subscription instead: subscriptionRaces.test.ts).
    await testDb.db
      .updateTable("service_subscriptions")
      .set({ price_amount: (PRICE * 2n).toString() })
      .where("id", "=", sub.subscriptionId)
      .execute();
    const before = await agentBalance();
    pricey.times = 2;
    expect(await renew(sub)).toEqual({
      action: "retry",
      afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
    });
    await testDb.db
      .updateTable("services")
      .set({ price_amount: (PRICE * 2n).toString() })
      .where("id", "=", sub.serviceId)
      .execute();

    // The retry replays the 0.10 reservations, so 0.20 is refused unsigned: paying it would put
    // 0.20 through the session's 0.15 budget, which counted 0.10 (and so did the window).
    expect((await renew(sub)).action).toBe("retry");
    expect(await agentBalance()).toBe(before);
    expect(await books(sub.runId)).toEqual({
      payments: [],
      budget: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "reserved", amount: "100000" }],
    });
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      renewals: 0,
      consecutiveFailures: 2,
    });
    pricey.times = 0;
  });

  test("behavior: a renewal whose payee failed after the signature (authorization cancelled on chain) pays on its retry with a new nonce and fresh reservations, once", async () => {
    const sub = await subscribe(
      { allowedActions: all, windows: [{ period: "day", maxCount: 5 }] },
      HOSTILE,
    );
    const before = await agentBalance();
    hostile.times = 1;
    expect(await renew(sub)).toEqual({
      action: "retry",
      afterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
    });
    expect(await agentBalance()).toBe(before);
    const voided = await books(sub.runId);
    expect(voided.payments).toEqual([
      { step_id: `${sub.runId}:renewal:0`, status: "cancelled", amount: "100000" },
    ]);
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      renewals: 0,
      consecutiveFailures: 1,
    });

    // The retry signs anew (the cancelled nonce can never be used) under reservations of its own;
    // the dead attempt's reservations go back, so the period is counted once.
    expect((await renew(sub)).action).toBe("wait");
    expect(before - (await agentBalance())).toBe(PRICE);
    const paid = await books(sub.runId);
    expect(paid.payments).toEqual([
      { step_id: `${sub.runId}:renewal:0`, status: "cancelled", amount: "100000" },
      { step_id: `${sub.runId}:renewal:0`, status: "settled", amount: "100000" },
    ]);
    // Attempt 1 reserves under the renewal's number + RENEWAL_ATTEMPT_STRIDE.
    expect(paid.budget).toEqual([
      { id: `${sub.runId}:0`, status: "released", amount: "100000" },
      { id: `${sub.runId}:1000000`, status: "settled", amount: "100000" },
    ]);
    expect(paid.windows).toEqual([
      { id: `${sub.runId}:0`, status: "released", amount: "100000" },
      { id: `${sub.runId}:1000000`, status: "settled", amount: "100000" },
    ]);
    expect(await getSubscription(testDb.db, sub.subscriptionId)).toMatchObject({
      status: "active",
      renewals: 1,
      consecutiveFailures: 0,
    });
  });

  test("behavior: a subscription cancelled while a failed renewal waits for its retry gives its reservations back", async () => {
    const sub = await subscribe({ allowedActions: all }, PRICEY);
    pricey.times = 1;
    expect((await renew(sub)).action).toBe("retry");
    await cancelSubscription(testDb.db, sub.subscriptionId);
    expect(await renew(sub)).toEqual({ action: "stop", reason: "subscription is cancelled" });
    expect(await books(sub.runId)).toEqual({
      payments: [],
      budget: [{ id: `${sub.runId}:0`, status: "released", amount: "100000" }],
      windows: [{ id: `${sub.runId}:0`, status: "released", amount: "100000" }],
    });
  });
});
