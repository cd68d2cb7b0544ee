import { afterAll, beforeAll, expect, test } from "vitest";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { waitForRun } from "../helpers/runs.js";

/**
 * A subscription renewal the key's policy holds, end to end on a real host (Postgres, local
 * workflow world, anvil devnet, the demo x402 Market Data API): the durable renewal run asks
 * approvers and waits on the approval's hook; approved through the API it pays the period on
 * chain, rejected it ends the subscription and pays nothing. Periods last 15 s here
 * (DEVNET_SUBSCRIPTION_PERIOD_SECONDS), so two renewals take about a minute: tests/long.
 */
const PERIOD_SECONDS = 15;
let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({
    database: "postgres",
    env: {
      RATE_LIMIT_PER_MINUTE: "100000",
      DEVNET_SUBSCRIPTION_PERIOD_SECONDS: String(PERIOD_SECONDS),
    },
  });
}, 240_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

/** A request made with another key than the host's admin key (checked against the API too). */
const as = (key: string, method: string, pathname: string, body?: unknown) =>
  host.request(method, pathname, body, { authorization: `Bearer ${key}` });

async function created(method: string, pathname: string, body: unknown) {
  const response = await host.request(method, pathname, body);
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

/** The agent wallet's USDC, base units. */
async function walletUsdc(): Promise<bigint> {
  const { body } = await host.request("GET", "/api/wallet/balance?tokens=USDC");
  return BigInt(body.balances[0].amount);
}

async function subscription(id: string) {
  return (await host.request("GET", `/api/subscriptions/${id}`)).body;
}

test("behavior: a held renewal waits for approvers; approved it pays on chain, rejected it ends the subscription", async () => {
  const document = { allowedActions: ["discover", "pay", "subscribe"] };
  const policy = await created("POST", "/api/policies", document);
  const agent = await created("POST", "/api/keys", {
    name: "renewing-agent",
    role: "agent",
    policyId: policy.id,
  });
  const approver = await created("POST", "/api/keys", {
    name: "renewal-approver",
    role: "approver",
  });
  await created("PUT", `/api/keys/${approver.id}`, { approverFor: [agent.id] });

  const found = await host.request("GET", "/api/services/discover?category=market-data");
  const service = found.body.services.find((s: { name: string }) => s.name === "Market Data API");
  // The demo Market Data API's price, 0.1 USDC a call (the API shows whole tokens).
  expect(service.price.amount).toBe("0.1");
  const price = 100_000n;
  const accepted = await as(agent.key, "POST", "/api/subscriptions", {
    serviceId: service.id,
    period: "daily",
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const first = await waitForRun(host, accepted.body.runId, ["completed", "failed"], 90_000);
  expect(first.status, JSON.stringify(first.error)).toBe("completed");
  const subscriptionId = accepted.body.subscriptionId as string;
  const subscribed = await subscription(subscriptionId);
  expect(subscribed).toMatchObject({ status: "active", renewals: 1 });
  const renewalRunId = subscribed.runId as string;

  // Tightened after subscribing: from the next renewal on, every period needs one approval.
  await created("PUT", `/api/policies/${policy.id}`, {
    ...document,
    approvalThresholdUsd: "0.01",
  });
  const beforeRenewal = await walletUsdc();
  const held = await waitForRun(host, renewalRunId, ["waiting_approval", "failed"], 60_000);
  expect(held.status, JSON.stringify(held.error)).toBe("waiting_approval");
  const [request] = held.pendingApprovals;
  expect(request.reason).toMatch(
    new RegExp(
      `^renewal for period 2 of the subscription ${subscriptionId}: held: .*needs 1 approval$`,
    ),
  );
  expect(await walletUsdc()).toBe(beforeRenewal);
  expect((await subscription(subscriptionId)).status).toBe("active");
  const listed = await as(approver.key, "GET", "/api/approvals?status=pending");
  expect(listed.body.approvals.map((a: { token: string }) => a.token)).toContain(request.token);

  // Not by the agent itself; by its approver, through the API.
  const own = await as(agent.key, "POST", `/api/approvals/${request.token}`, {
    decision: "approve",
  });
  expect(own.status).toBe(403);
  const approved = await as(approver.key, "POST", `/api/approvals/${request.token}`, {
    decision: "approve",
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  // `resumed` may be false when the vote beats the run's hook; reconcileApprovals wakes it then.
  expect(approved.body).toMatchObject({ status: "approved" });
  const deadline = Date.now() + 30_000;
  while ((await subscription(subscriptionId)).renewals < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(await subscription(subscriptionId)).toMatchObject({ status: "active", renewals: 2 });
  expect(beforeRenewal - (await walletUsdc())).toBe(price);
  expect((await host.request("GET", `/api/runs/${renewalRunId}`)).body.status).toBe("running");

  // The next period asks again; rejected, the subscription ends and nothing more is paid.
  const afterRenewal = await walletUsdc();
  const heldAgain = await waitForRun(host, renewalRunId, ["waiting_approval", "failed"], 60_000);
  expect(heldAgain.status, JSON.stringify(heldAgain.error)).toBe("waiting_approval");
  const [second] = heldAgain.pendingApprovals;
  expect(second.token).not.toBe(request.token);
  const rejected = await as(approver.key, "POST", `/api/approvals/${second.token}`, {
    decision: "reject",
  });
  expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
  const ended = await waitForRun(host, renewalRunId, ["failed", "completed", "cancelled"], 30_000);
  expect(ended.status).toBe("failed");
  expect(ended.error.message).toBe(
    `renewal for period 3 was not approved (approval ${second.token} rejected)`,
  );
  expect((await subscription(subscriptionId)).status).toBe("expired");
  expect(await walletUsdc()).toBe(afterRenewal);
}, 300_000);
