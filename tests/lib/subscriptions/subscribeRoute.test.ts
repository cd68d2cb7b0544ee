import { expect, test } from "vitest";
import { waitForRun } from "../../helpers/runs.js";
import { useHostProcess } from "../../helpers/useHostProcess.js";

/**
 * POST /api/subscriptions end to end on a real local host (scratch Postgres, local workflow world,
 * anvil devnet, the demo x402 Market Data API): the request starts a durable run that pays the first
 * period on chain, records the subscription and links its renewal run.
 */
const host = useHostProcess({ database: "postgres", env: { RATE_LIMIT_PER_MINUTE: "100000" } });

test("behavior: subscribing pays the first period through a durable run and grants a paid period", async () => {
  const session = await host.request("POST", "/api/agent/sessions", {
    budget: { amount: "1", token: "USDC" },
  });
  expect(session.status).toBe(201);
  const sessionId = session.body.id as string;
  const found = await host.request("GET", "/api/services/discover?category=market-data");
  const service = found.body.services.find((s: { name: string }) => s.name === "Market Data API");
  expect(service).toBeDefined();

  const body = { sessionId, serviceId: service.id, period: "daily" };
  const accepted = await host.request("POST", "/api/subscriptions", body, {
    "idempotency-key": "sub-e2e-1",
  });
  expect(accepted.status).toBe(202);
  expect(accepted.body).toMatchObject({
    sessionId,
    serviceId: service.id,
    period: "daily",
    status: "running",
  });
  // The answer names the subscription it is creating (issue 20).
  expect(accepted.body.subscriptionId).toMatch(/^sub_/);
  const replay = await host.request("POST", "/api/subscriptions", body, {
    "idempotency-key": "sub-e2e-1",
  });
  expect(replay.body).toMatchObject({ runId: accepted.body.runId });
  expect(replay.headers.get("idempotent-replayed")).toBe("true");

  const run = await waitForRun(
    host,
    accepted.body.runId,
    ["completed", "failed", "cancelled"],
    90_000,
  );
  expect(run.status, JSON.stringify(run.error ?? run.steps)).toBe("completed");
  // The first period is in the run's cost and the session's books as paid, like a pay action.
  const step = run.steps.find((s: { action: string }) => s.action === "subscribe");
  expect(step.output).toMatchObject({ token: "USDC", amount: expect.stringMatching(/^[1-9]\d*$/) });
  expect(step.txHashes).toEqual([step.output.transaction]);
  expect(run.cost.items).toContainEqual(
    expect.objectContaining({ kind: "x402", unit: "USDC", amount: step.output.amount }),
  );
  const books = await host.request("GET", `/api/agent/sessions/${sessionId}`);
  expect(books.body.budgetStatus.budget).toMatchObject({
    spent: step.output.amount,
    reserved: "0",
  });

  const listed = await host.request("GET", `/api/subscriptions?sessionId=${sessionId}`);
  expect(listed.status).toBe(200);
  expect(listed.body.subscriptions).toHaveLength(1);
  const sub = listed.body.subscriptions[0];
  expect(sub.id).toBe(accepted.body.subscriptionId);
  expect(sub).toMatchObject({
    serviceId: service.id,
    status: "active",
    renewals: 1,
    consecutiveFailures: 0,
  });
  expect(sub.runId).toMatch(/^run_/);
  const paidFor = new Date(sub.currentPeriodEnd).getTime() - Date.now();
  expect(paidFor).toBeGreaterThan(23 * 60 * 60 * 1000);
  expect(paidFor).toBeLessThanOrEqual(24 * 60 * 60 * 1000);

  // A second subscribe to the same service is refused before anything is paid.
  expect((await host.request("POST", "/api/subscriptions", body)).status).toBe(409);

  const renewal = await host.request("GET", `/api/runs/${sub.runId}`);
  expect(renewal.body.status).toBe("running");
  const cancelled = await host.request("DELETE", `/api/subscriptions/${sub.id}`);
  expect(cancelled.body).toMatchObject({ id: sub.id, status: "cancelled" });
  // Its renewal run ends now, not when the paid period does (issue 20).
  const ended = await host.request("GET", `/api/runs/${sub.runId}`);
  expect(ended.body.status).toBe("cancelled");
}, 200_000);

test("behavior: without a sessionId, subscribing opens a session, as execute does", async () => {
  const found = await host.request("GET", "/api/services/discover?category=market-data");
  const service = found.body.services.find((s: { name: string }) => s.name === "Market Data API");
  const accepted = await host.request("POST", "/api/subscriptions", {
    serviceId: service.id,
    period: "weekly",
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  expect(accepted.body.sessionId).toMatch(/^ses_/);
  expect(accepted.body.subscriptionId).toMatch(/^sub_/);
  const run = await waitForRun(
    host,
    accepted.body.runId,
    ["completed", "failed", "cancelled"],
    90_000,
  );
  expect(run.status, JSON.stringify(run.error ?? run.steps)).toBe("completed");
  const sub = await host.request("GET", `/api/subscriptions/${accepted.body.subscriptionId}`);
  expect(sub.status).toBe(200);
  expect(sub.body).toMatchObject({ sessionId: accepted.body.sessionId, period: "weekly" });
}, 200_000);
