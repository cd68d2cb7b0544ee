import { describe, expect, it } from "vitest";
import { execute, waitForRun } from "../helpers/runs.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * A service id on a policy's `counterparties.deny` list holds however the service's URL is
 * spelled: a query string, an upper-case host or a trailing slash still name the same registered
 * service, so the deny (and the catalogue terms) apply. Through a real host (Postgres, local
 * workflow world, anvil devnet, the demo paid resource).
 */
const host = useHostProcess({
  database: "postgres",
  env: { RATE_LIMIT_PER_MINUTE: "100000" },
});

describe("behavior: a denied service id cannot be paid under another spelling of its URL", () => {
  it("POST /api/payments/x402 and a pay command are refused by counterparties.deny", async () => {
    // The demo resource registered under a host name (the seeded entry uses 127.0.0.1), so the
    // spellings below can change the host's case.
    const endpoint = `http://localhost:${host.port}/api/demo/market-data`;
    const service = await host.request("POST", "/api/services", {
      name: `Denied Market Data ${Date.now()}`,
      category: "market-data",
      endpoint,
      price: { amount: "0.1", token: "USDC", network: "devnet" },
    });
    expect(service.status, JSON.stringify(service.body)).toBe(201);
    const serviceId: string = service.body.id;

    const policy = await host.request("POST", "/api/policies", {
      name: `deny-${serviceId}`,
      allowedActions: ["pay"],
      counterparties: { deny: [serviceId] },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const key = await host.request("POST", "/api/keys", {
      name: `agent denied ${serviceId}`,
      role: "agent",
      policyId: policy.body.id,
    });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const agentKey = { authorization: `Bearer ${key.body.key}` };

    const refusedBy = async (runId: string) => {
      const run = await waitForRun(host, runId);
      expect(run.status, JSON.stringify(run.error)).toBe("failed");
      expect(run.error.code, JSON.stringify(run.error)).toBe("policy_refused");
      expect(run.error.message).toContain(
        `${serviceId.toLowerCase()} is on the policy's deny list`,
      );
      expect(run.steps.every((step: { status: string }) => step.status !== "completed")).toBe(true);
    };

    const spellings = [
      endpoint, // the stored spelling: refused before the fix too
      `${endpoint}?x=1`,
      `http://LOCALHOST:${host.port}/api/demo/market-data`,
      `HTTP://LocalHost:${host.port}/api/demo/market-data/?x=1#top`,
    ];
    for (const url of spellings) {
      const accepted = await host.request(
        "POST",
        "/api/payments/x402",
        { url, maxAmount: { amount: "0.1", token: "USDC" } },
        agentKey,
      );
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      await refusedBy(accepted.body.runId);
    }

    const command = await execute(host, { command: `pay 0.1 USDC to ${endpoint}?x=2` }, agentKey);
    await refusedBy(command.runId);

    // Nothing was paid under any of those spellings (the seeded entry is 127.0.0.1, not localhost).
    const payments = await host.request("GET", "/api/payments?limit=100");
    expect(payments.status).toBe(200);
    expect(
      payments.body.payments.filter((p: { resourceUrl: string }) =>
        /localhost/i.test(p.resourceUrl),
      ),
    ).toEqual([]);
  }, 180_000);
});
