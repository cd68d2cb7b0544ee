import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryCache } from "../../lib/cache/memory.js";
import { verifyWebhook } from "../../lib/security/verifyWebhook.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { waitForRun } from "../helpers/runs.js";

/**
 * Issue 13 through a real host process (Postgres, local workflow world, anvil devnet with the real
 * contracts): roles, policies, quorum approvals, command limits, windows under concurrency,
 * freezes and signed notifications, each asserted on the run, the API answer and the chain.
 * In tests/long: twenty concurrent commands and a 10 s notification retry take over a minute here.
 */
let host: HostProcess;
let usdc: Address;
const client = () =>
  createPublicClient({ transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`) });

beforeAll(async () => {
  host = await startHostProcess({
    database: "postgres",
    env: {
      RATE_LIMIT_PER_MINUTE: "100000",
      CHAIN_INLINE_WAIT_MS: "1000",
      // Deliberately loose default: every key here gets its own policy; the default must not trip.
      PAYGENT_DEFAULT_POLICY: JSON.stringify({
        allowedActions: ["balance", "transfer", "swap", "pay", "discover"],
      }),
    },
  });
  usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
    .address as Address;
}, 240_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

/** A request made with another key than the host's admin key. */
async function as(key: string, method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${host.url}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function policy(document: Record<string, unknown>): Promise<string> {
  const created = await host.request("POST", "/api/policies", {
    allowedActions: ["balance", "transfer", "swap", "pay"],
    ...document,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function key(role: string, policyId?: string): Promise<{ id: string; key: string }> {
  const created = await host.request("POST", "/api/keys", {
    name: `${role}-${Math.random().toString(36).slice(2, 8)}`,
    role,
    ...(policyId ? { policyId } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.role).toBe(role);
  return created.body;
}

async function balanceOf(recipient: Address, token: Address | "native" = usdc): Promise<bigint> {
  if (token === "native") return await client().getBalance({ address: recipient });
  return await client().readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [recipient],
  });
}

async function run(agentKey: string, body: Record<string, unknown>) {
  const accepted = await as(agentKey, "POST", "/api/agent/execute", body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return accepted.body as { runId: string; sessionId: string };
}

const recipient = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;

describe("behavior: roles", () => {
  it("an agent key cannot approve its own action (403) while an approver can; approvers cannot run commands", async () => {
    const agent = await key("agent", await policy({ approvalThresholdUsd: "1" }));
    const approver = await key("approver");
    await host.request("PUT", `/api/keys/${approver.id}`, { approverFor: [agent.id] });
    const to = recipient(0x1301);
    const accepted = await run(agent.key, { command: `send 2 USDC to ${to}` });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const { token } = waiting.pendingApprovals[0];

    const own = await as(agent.key, "POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(own.status).toBe(403);
    expect(
      (await as(approver.key, "POST", "/api/agent/execute", { command: "balance" })).status,
    ).toBe(403);
    const listed = await as(approver.key, "GET", "/api/approvals?status=pending");
    expect(listed.body.approvals.map((a: any) => a.token)).toContain(token);

    const approved = await as(approver.key, "POST", `/api/approvals/${token}`, {
      decision: "approve",
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = await waitForRun(host, accepted.runId);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    expect(await balanceOf(to)).toBe(2_000_000n);
    // Held at plan time, allowed at the gate once approved (a retried gate may record its allow
    // again under another rule; it never reserves twice).
    const outcomes = done.policyDecisions.map((d: any) => d.outcome);
    expect(outcomes[0], JSON.stringify(done.policyDecisions)).toBe("hold");
    expect(done.policyDecisions[0].message).toMatch(/^held: /);
    expect(new Set(outcomes.slice(1)), JSON.stringify(done.policyDecisions)).toEqual(
      new Set(["allow"]),
    );
  });

  it("admin routes answer 403 to agent and approver keys", async () => {
    const agent = await key("agent");
    const approver = await key("approver");
    for (const k of [agent.key, approver.key]) {
      expect((await as(k, "GET", "/api/keys")).status).toBe(403);
      expect((await as(k, "POST", "/api/policies", { allowedActions: [] })).status).toBe(403);
      expect((await as(k, "POST", "/api/wallet/freeze", {})).status).toBe(403);
      expect((await as(k, "GET", "/api/notifications/deliveries")).status).toBe(403);
    }
    const keys = await host.request("GET", "/api/keys");
    expect(keys.body.keys.find((k: any) => k.id === agent.id)).toMatchObject({
      role: "agent",
      policy: null,
    });
  });
});

describe("behavior: commands may lower limits, never raise them", () => {
  it("a raised threshold is refused (422 naming the rule) and starts nothing", async () => {
    const agent = await key("agent", await policy({ approvalThresholdUsd: "10" }));
    const raised = await as(agent.key, "POST", "/api/agent/execute", {
      command: "send 1 USDC to 0x0000000000000000000000000000000000001302",
      approvalThreshold: "1000",
    });
    expect(raised.status).toBe(422);
    expect(raised.body.error.message).toContain("approvalThresholdUsd");
    const runs = await as(agent.key, "GET", "/api/runs");
    expect(runs.body.runs).toEqual([]);
  });

  it("a USD command budget is honoured: send 5 USDC with a 2 USD budget moves nothing", async () => {
    const agent = await key("agent", await policy({}));
    const to = recipient(0x1303);
    const accepted = await run(agent.key, {
      command: `send 5 USDC to ${to}`,
      budget: { amount: "2", token: "USD" },
    });
    const done = await waitForRun(host, accepted.runId);
    expect(done.status).toBe("failed");
    expect(done.error.message).toMatch(/budget/i);
    expect(await balanceOf(to)).toBe(0n);
  });

  it("a cross-token edit past a limit is refused and nothing moves", async () => {
    const agent = await key("agent", await policy({ approvalThresholdUsd: "1000" }));
    const to = recipient(0x1304);
    const accepted = await run(agent.key, {
      command: `send 1 CRO to ${to}`,
      budget: { amount: "2", token: "USDC" },
      approvalThreshold: "0",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const { token } = waiting.pendingApprovals[0];
    const before = await balanceOf(to, "native");
    const edited = await host.request("POST", `/api/approvals/${token}`, {
      decision: "edit",
      args: { amount: { amount: "500", token: "CRO" } },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(422);
    const still = await host.request("GET", `/api/runs/${accepted.runId}`);
    expect(still.body.status).toBe("waiting_approval");
    expect(
      (await host.request("POST", `/api/approvals/${token}`, { decision: "reject" })).status,
    ).toBe(200);
    const done = await waitForRun(host, accepted.runId);
    expect(done.status).toBe("failed");
    expect(await balanceOf(to, "native")).toBe(before);
  });
});

describe("behavior: quorum", () => {
  it("a 2-approver policy needs two distinct approvers; one approver voting twice counts once", async () => {
    const agent = await key(
      "agent",
      await policy({
        approvalThresholdUsd: "1",
        approvals: { required: 2, approvers: "any" },
      }),
    );
    const [a, b] = [await key("approver"), await key("approver")];
    const to = recipient(0x1305);
    const accepted = await run(agent.key, { command: `send 3 USDC to ${to}` });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const held = waiting.policyDecisions.find((d: any) => d.outcome === "hold");
    expect(held.message).toMatch(/^held: .*needs 2 approvals/);
    const { token } = waiting.pendingApprovals[0];
    const first = await as(a.key, "POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(first.body).toMatchObject({ status: "pending", approvals: 1, required: 2 });
    const twice = await as(a.key, "POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(twice.body).toMatchObject({ status: "pending", approvals: 1 });
    expect((await host.request("GET", `/api/runs/${accepted.runId}`)).body.status).toBe(
      "waiting_approval",
    );
    expect(await balanceOf(to)).toBe(0n);
    const second = await as(b.key, "POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(second.body).toMatchObject({ status: "approved", approvals: 2 });
    const done = await waitForRun(host, accepted.runId);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    expect(await balanceOf(to)).toBe(3_000_000n);
  });
});

describe("behavior: windows", () => {
  it("a window of 3 payments per hour refuses the 4th under 20 concurrent commands", async () => {
    const agent = await key("agent", await policy({ windows: [{ period: "hour", maxCount: 3 }] }));
    const to = recipient(0x1306);
    const accepted = await Promise.all(
      Array.from({ length: 20 }, () => run(agent.key, { command: `send 0.01 USDC to ${to}` })),
    );
    const done = await Promise.all(
      accepted.map((a) => waitForRun(host, a.runId, ["completed", "failed"], 180_000)),
    );
    const completed = done.filter((r) => r.status === "completed");
    const refused = done.filter((r) => r.status === "failed");
    expect(completed).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.error.message).toContain("windows[0]");
    expect(await balanceOf(to)).toBe(30_000n);
  }, 240_000);
});

describe("behavior: freezes", () => {
  it("a frozen key moves nothing: new commands 423, a run in flight stops at its gate", async () => {
    const agent = await key("agent", await policy({ approvalThresholdUsd: "1" }));
    const to = recipient(0x1307);
    const accepted = await run(agent.key, { command: `send 2 USDC to ${to}` });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");

    const frozen = await host.request("POST", `/api/keys/${agent.id}/freeze`, { reason: "test" });
    expect(frozen.status).toBe(200);
    const refused = await as(agent.key, "POST", "/api/agent/execute", {
      command: `send 1 USDC to ${to}`,
    });
    expect(refused.status).toBe(423);
    await host.request("POST", `/api/approvals/${waiting.pendingApprovals[0].token}`, {
      decision: "approve",
    });
    const done = await waitForRun(host, accepted.runId);
    expect(done.status).toBe("failed");
    expect(done.error.message).toContain("frozen");
    expect(await balanceOf(to)).toBe(0n);

    expect((await host.request("POST", `/api/keys/${agent.id}/unfreeze`)).status).toBe(200);
    const wallet = await host.request("POST", "/api/wallet/freeze", {});
    expect(wallet.status).toBe(200);
    expect((await as(agent.key, "POST", "/api/agent/execute", { command: "balance" })).status).toBe(
      423,
    );
    expect((await host.request("POST", "/api/wallet/unfreeze")).status).toBe(200);
  });
});

describe("behavior: notifications", () => {
  it("a local receiver gets approval.required with a valid signature, and again after answering 500 once", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const statuses = [500];
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        response.statusCode = statuses.shift() ?? 200;
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const endpoint = await host.request("POST", "/api/notifications/endpoints", {
        url,
        events: ["approval.required"],
      });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      expect(endpoint.body.secret).toMatch(/^whsec_/);
      const agent = await key("agent", await policy({ approvalThresholdUsd: "1" }));
      const accepted = await run(agent.key, {
        command: `send 2 USDC to ${recipient(0x1308)}`,
      });
      await waitForRun(host, accepted.runId, ["waiting_approval"]);
      const deadline = Date.now() + 60_000;
      while (received.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 250));
      expect(received.length).toBeGreaterThanOrEqual(2);
      for (const delivery of received.slice(0, 2)) {
        const verified = await verifyWebhook<any>(
          new Request(url, {
            method: "POST",
            headers: delivery.headers as Record<string, string>,
            body: delivery.body,
          }),
          { secret: endpoint.body.secret, cache: createMemoryCache() },
        );
        expect(verified.body).toMatchObject({
          type: "approval.required",
          data: { runId: accepted.runId },
        });
      }
      expect(received[0]!.headers["x-paygent-event-id"]).toBe(
        received[1]!.headers["x-paygent-event-id"],
      );
      const deliveries = await host.request("GET", "/api/notifications/deliveries");
      expect(deliveries.body.deliveries[0]).toMatchObject({ status: "delivered" });
    } finally {
      server.close();
    }
  }, 120_000);
});
