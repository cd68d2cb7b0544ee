import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { describe, expect, it } from "vitest";
import { execute, readEvents, waitForRun } from "../helpers/runs.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * Durable runs through a real local host process (PGlite, memory cache, local workflow world,
 * anvil devnet with the real contracts, the demo paid service): accept, orchestrate, approve,
 * cancel, inspect, and refuse bad input without starting anything.
 */
// Real Postgres here (fast to create); the embedded default is exercised by the durability test.
const host = useHostProcess({
  database: "postgres",
  env: { RATE_LIMIT_PER_MINUTE: "100000", CHAIN_INLINE_WAIT_MS: "1000" },
});

/** A policy from `document` and an agent key under it (both through the admin API). */
async function createAgentKey(document: Record<string, unknown>) {
  const policy = await host.request("POST", "/api/policies", document);
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  const created = await host.request("POST", "/api/keys", {
    name: `agent under ${String(document.name)}`,
    role: "agent",
    policyId: policy.body.id,
  });
  expect(created.status).toBe(201);
  return { policy, created, agentKey: { authorization: `Bearer ${created.body.key}` } };
}

async function runCount(): Promise<number> {
  const { body } = await host.request("GET", "/api/runs?limit=100");
  return body.runs.length;
}

describe("behavior: a command becomes a durable run", () => {
  it("a balance command answers 202 and completes with the real on-chain balances", async () => {
    const accepted = await execute(host, { command: "how much USDC do I have" });
    expect(accepted.status).toBe("running");
    expect(accepted.links).toEqual({
      self: `/api/runs/${accepted.runId}`,
      events: `/api/runs/${accepted.runId}/events`,
      cancel: `/api/runs/${accepted.runId}/cancel`,
    });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("completed");
    expect(run.intent.steps[0]).toMatchObject({ kind: "balance", tokens: ["USDC"] });
    expect(run.steps).toHaveLength(1);
    expect(run.steps[0]).toMatchObject({
      index: 0,
      action: "balance",
      status: "completed",
      attempts: 1,
    });
    const balance = run.result.actions[0].output.balances[0];
    expect(balance.symbol).toBe("USDC");
    expect(BigInt(balance.amount)).toBeGreaterThan(0n);
    expect(run.timings.finishedAt).not.toBeNull();
  });

  it("swap then pay: the swap's output funds an x402 payment that settles on chain, body kept in the result", async () => {
    const accepted = await execute(host, {
      command: "swap 10 CRO for USDC then pay 0.10 USDC to the market data API",
    });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const swap = run.steps.find((s: any) => s.action === "swap");
    const pay = run.steps.find((s: any) => s.action === "pay");
    expect(BigInt(swap.output.amountOut)).toBeGreaterThan(0n);
    expect(pay.output).toMatchObject({ amount: "100000", token: "USDC", via: "paid" });
    expect(pay.output.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(pay.output.response.status).toBe(200);
    expect(JSON.parse(pay.output.response.body)).toBeTypeOf("object");
    // Cost: x402 amount and gas, each in its own unit, never summed across units.
    expect(run.cost.totals.USDC).toBe("100000");
    expect(BigInt(run.cost.totals.CRO)).toBeGreaterThan(0n);
    const payments = await host.request("GET", `/api/payments?sessionId=${accepted.sessionId}`);
    expect(payments.body.payments).toHaveLength(1);
    expect(payments.body.payments[0]).toMatchObject({ status: "settled", amount: "100000" });
  });

  it("an Idempotency-Key returns the same run instead of starting a second one", async () => {
    const headers = { "idempotency-key": `balance-${Date.now()}` };
    const first = await execute(host, { command: "what's my balance" }, headers);
    const second = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "what's my balance" },
      headers,
    );
    expect(second.status).toBe(202);
    expect(second.body.runId).toBe(first.runId);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    // The same key with another command is a conflict, not the old run (issue 20).
    const other = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "swap 1 CRO for USDC" },
      headers,
    );
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_conflict");
  });

  it("streams progress as Server-Sent Events and resumes after Last-Event-ID", async () => {
    const accepted = await execute(host, { command: "what's my balance" });
    await waitForRun(host, accepted.runId);
    const events = await readEvents(host, accepted.runId);
    expect(events.map((e) => e.event)).toEqual([
      "run.accepted",
      "run.planned",
      "step.started",
      "step.finished",
      "run.completed",
    ]);
    const later = await readEvents(host, accepted.runId, { lastEventId: events[1]!.id });
    expect(later.map((e) => e.event)).toEqual(["step.started", "step.finished", "run.completed"]);
  });
});

describe("behavior: session memory", () => {
  it('"swap it back" swaps the previous swap\'s real output in the other direction', async () => {
    const first = await execute(host, { command: "swap 20 CRO for USDC" });
    const swapped = await waitForRun(host, first.runId);
    expect(swapped.status, JSON.stringify(swapped.error)).toBe("completed");
    const amountOut = swapped.steps.find((s: { action: string }) => s.action === "swap").output
      .amountOut;
    const back = await execute(host, { command: "swap it back", sessionId: first.sessionId });
    const run = await waitForRun(host, back.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const swap = run.steps.find((s: { action: string }) => s.action === "swap");
    expect(swap.input).toMatchObject({ tokenIn: "USDC", tokenOut: "CRO", amountIn: amountOut });
  });

  it('"do that again" without an earlier command in the session fails with a clear reason', async () => {
    const accepted = await execute(host, { command: "do that again" });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("failed");
    expect(run.error.message.toLowerCase()).toMatch(/nothing|no earlier|previous|remember/);
  });
});

describe("behavior: approvals", () => {
  it("an action above the threshold waits; approving resumes the run and the swap happens once", async () => {
    const accepted = await execute(host, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval"]);
    expect(waiting.pendingApprovals).toHaveLength(1);
    const { token } = waiting.pendingApprovals[0];
    const listed = await host.request(
      "GET",
      `/api/approvals?status=pending&sessionId=${accepted.sessionId}`,
    );
    expect(listed.body.approvals.map((a: any) => a.token)).toEqual([token]);
    // The held amount reads as the plan wrote it ("100"), not as Postgres keeps it ("100.000000").
    const planned = waiting.plan.actions[waiting.pendingApprovals[0].step].usdValue;
    expect(planned).toMatch(/^\d+(\.\d*[1-9])?$/);
    expect(waiting.pendingApprovals[0].amountUsd).toBe(planned);
    expect(listed.body.approvals[0].amountUsd).toBe(planned);

    const decided = await host.request("POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: "approved", resumed: true });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("completed");
    const swap = run.steps.find((s: any) => s.action === "swap");
    expect(swap.attempts).toBe(1);
    expect(swap.txHashes).toHaveLength(1);

    const again = await host.request("POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already approved");
  });

  it("rejecting fails the run with the reason and moves no money", async () => {
    const accepted = await execute(host, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval"]);
    const { token } = waiting.pendingApprovals[0];
    expect(
      (await host.request("POST", `/api/approvals/${token}`, { decision: "reject" })).status,
    ).toBe(200);
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("failed");
    expect(run.error.message).toContain("rejected");
    expect(run.steps.find((s: any) => s.action === "swap").txHashes).toEqual([]);
  });

  it("an edit is re-validated: it cannot raise spend past the command budget", async () => {
    const accepted = await execute(host, {
      command: "pay 0.10 USDC to the market data API",
      approvalThreshold: "0.01",
      budget: { amount: "0.50", token: "USDC" },
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval"]);
    const { token } = waiting.pendingApprovals[0];
    const tooMuch = await host.request("POST", `/api/approvals/${token}`, {
      decision: "edit",
      args: { maxAmount: { amount: "0.90", token: "USDC" } },
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.message).toContain("budget");
    const invalid = await host.request("POST", `/api/approvals/${token}`, {
      decision: "edit",
      args: { maxAmount: { amount: "-5", token: "USDC" } },
    });
    expect(invalid.status).toBe(400);
    // The old base-unit form is refused with the new one shown, not read as 200000 USDC.
    const baseUnits = await host.request("POST", `/api/approvals/${token}`, {
      decision: "edit",
      args: { maxAmount: "200000" },
    });
    expect(baseUnits.status).toBe(400);
    expect(baseUnits.body.error.message).toContain('{"amount": "0.5", "token": "USDC"}');
    const ok = await host.request("POST", `/api/approvals/${token}`, {
      decision: "edit",
      args: { maxAmount: { amount: "0.2", token: "USDC" } },
    });
    expect(ok.status).toBe(200);
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("completed");
  });
});

describe("behavior: cancel is a kill switch", () => {
  it("cancelling a run waiting for approval stops it; no swap starts afterwards", async () => {
    const accepted = await execute(host, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval"]);
    const cancelled = await host.request("POST", `/api/runs/${accepted.runId}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: "cancelled", submittedTxHashes: [] });
    // The approval is gone: approving now is refused, and the run never swaps.
    const late = await host.request("POST", `/api/approvals/${waiting.pendingApprovals[0].token}`, {
      decision: "approve",
    });
    expect(late.status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const run = await waitForRun(host, accepted.runId);
    expect(run.status).toBe("cancelled");
    expect(run.steps.find((s: any) => s.action === "swap")).toMatchObject({
      status: "cancelled",
      txHashes: [],
    });
    const again = await host.request("POST", `/api/runs/${accepted.runId}/cancel`);
    expect(again.status).toBe(409);
  });

  it("DELETE /api/agent/sessions/{id} cancels the session's active runs and closes it", async () => {
    const accepted = await execute(host, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    await waitForRun(host, accepted.runId, ["waiting_approval"]);
    const closed = await host.request("DELETE", `/api/agent/sessions/${accepted.sessionId}`);
    expect(closed.status).toBe(200);
    expect(closed.body.cancelledRuns).toEqual([accepted.runId]);
    expect((await waitForRun(host, accepted.runId)).status).toBe("cancelled");
    const refused = await host.request("POST", "/api/agent/execute", {
      command: "what's my balance",
      sessionId: accepted.sessionId,
    });
    expect(refused.status).toBe(409);
  });
});

describe("error: bad input gets a clear 4xx and starts nothing", () => {
  it.each([
    ["an empty command", { command: "   " }, 400, "command must not be empty"],
    ["an oversized command", { command: "x".repeat(1001) }, 400, "at most 1000"],
    ["a command of the wrong type", { command: 42 }, 400, "command"],
    ["an unknown field", { command: "what's my balance", extra: 1 }, 400, "extra"],
    [
      "an unknown session",
      { command: "what's my balance", sessionId: "ses_0000000000000000000000000z" },
      404,
      "not found",
    ],
    [
      "a malformed session id",
      { command: "what's my balance", sessionId: "nope" },
      400,
      "session id",
    ],
    [
      "an unknown token",
      { command: "pay 5 DOGE to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8" },
      422,
      "DOGE",
    ],
    ["gibberish", { command: "make me a sandwich" }, 422, ""],
  ])("%s", async (_name, body, status, message) => {
    const before = await runCount();
    const response = await host.request("POST", "/api/agent/execute", body);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.body.error.message.toLowerCase()).toContain(message.toLowerCase());
    expect(JSON.stringify(response.body)).not.toMatch(/stack|at .*\.ts:\d+/);
    expect(await runCount()).toBe(before);
  });

  it("a malformed approval decision is a 400 naming the field", async () => {
    const response = await host.request("POST", "/api/approvals/apr_0000000000000000000000000z", {
      decision: "maybe",
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain("decision");
  });

  it("an unknown approval token is a 404; cancelling an unknown run is a 404", async () => {
    expect(
      (
        await host.request("POST", "/api/approvals/apr_0000000000000000000000000z", {
          decision: "approve",
        })
      ).status,
    ).toBe(404);
    expect(
      (await host.request("POST", "/api/runs/run_0000000000000000000000000z/cancel")).status,
    ).toBe(404);
  });

  it("no API key → 401", async () => {
    const response = await fetch(`${host.url}/api/runs`);
    expect(response.status).toBe(401);
  });
});

describe("behavior: an accept on a cached read of the key never outlives a change to it", () => {
  // The accept routes may reuse a recent read of the key, its policy and freezes (keyControlsCache);
  // every answer below must be the one a fresh read gives, whatever the cache holds.
  it("a freeze, a tightened or loosened policy and a revocation apply to the very next command", async () => {
    const policyName = `cached-${Date.now()}`;
    const { policy, created, agentKey } = await createAgentKey({
      name: policyName,
      allowedActions: ["balance"],
      approvalThresholdUsd: "5",
    });
    const command = (approvalThreshold: string) =>
      host.request(
        "POST",
        "/api/agent/execute",
        { command: "what's my balance", approvalThreshold },
        agentKey,
      );
    const runsOfKey = async () =>
      (await host.request("GET", "/api/runs?limit=100", undefined, agentKey)).body.runs.length;

    // Read and cached.
    expect((await command("3")).status).toBe(202);
    expect((await command("3")).status).toBe(202);
    expect(await runsOfKey()).toBe(2);

    // Frozen: the cached read says otherwise, the insert refuses it, the fresh read answers 423.
    const freeze = await host.request("POST", `/api/keys/${created.body.id}/freeze`, {
      reason: "test",
    });
    expect(freeze.status).toBe(200);
    const frozen = await command("3");
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(423);
    expect(await runsOfKey()).toBe(2);
    expect((await host.request("POST", `/api/keys/${created.body.id}/unfreeze`, {})).status).toBe(
      200,
    );
    expect((await command("3")).status).toBe(202);

    // Tightened below the command's threshold: 422, nothing accepted.
    const tighten = await host.request("PUT", `/api/policies/${policy.body.id}`, {
      name: policyName,
      allowedActions: ["balance"],
      approvalThresholdUsd: "2",
    });
    expect(tighten.status).toBe(200);
    const refused = await command("3");
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error.message).toMatch(/approvalThresholdUsd/);
    expect(await runsOfKey()).toBe(3);

    // Loosened again: the refusal the cache remembers is not given; the fresh read accepts.
    const loosen = await host.request("PUT", `/api/policies/${policy.body.id}`, {
      name: policyName,
      allowedActions: ["balance"],
      approvalThresholdUsd: "10",
    });
    expect(loosen.status).toBe(200);
    expect((await command("3")).status).toBe(202);
    expect(await runsOfKey()).toBe(4);

    // Revoked: 401, not a run on the cached read.
    expect((await host.request("DELETE", `/api/keys/${created.body.id}`)).status).toBe(200);
    const before = await runCount();
    const revoked = await command("3");
    expect(revoked.status).toBe(401);
    expect(await runCount()).toBe(before);
  });
});

describe("behavior: direct wallet transfer runs through the same policy", () => {
  it("POST /api/wallet/transfer moves exactly the amount once", async () => {
    const recipient = "0x2222222222222222222222222222222222222222" as Address;
    const client = createPublicClient({
      transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`),
    });
    const usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
      .address as Address;
    const before = await client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    const accepted = await host.request("POST", "/api/wallet/transfer", {
      to: recipient,
      amount: "1.5",
      token: "USDC",
    });
    expect(accepted.status).toBe(202);
    const run = await waitForRun(host, accepted.body.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const after = await client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(after - before).toBe(1_500_000n);
  });
});

describe("behavior: chain-event hooks", () => {
  it("a transaction not mined in time parks the run on a hook; the watcher resumes it when the block lands", async () => {
    const recipient = "0x3333333333333333333333333333333333333333" as Address;
    const rpc = `http://127.0.0.1:${host.env.DEVNET_PORT}`;
    const call = (method: string, params: unknown[] = []) =>
      fetch(rpc, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      }).then((r) => r.json());
    await call("evm_setAutomine", [false]);
    let runId = "";
    let hash = "";
    try {
      const accepted = await host.request("POST", "/api/wallet/transfer", {
        to: recipient,
        amount: "0.25",
        token: "USDC",
      });
      expect(accepted.status).toBe(202);
      runId = accepted.body.runId;
      const waiting = await waitForRun(host, runId, ["waiting_event"]);
      const step = waiting.steps.find((s: { action: string }) => s.action === "transfer");
      expect(step.status).toBe("waiting_event");
      expect(step.txHashes).toHaveLength(1);
      hash = step.txHashes[0];
      await call("evm_mine");
    } finally {
      await call("evm_setAutomine", [true]);
    }
    const run = await waitForRun(host, runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const transfer = run.steps.find((s: { action: string }) => s.action === "transfer");
    expect(transfer.txHashes).toEqual([hash]);
    expect(transfer.attempts).toBe(2); // the send, then the confirmation after the hook woke it
    const client = createPublicClient({ transport: http(rpc) });
    const usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
      .address as Address;
    const balance = await client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(balance).toBe(250_000n);
  });
});

describe("behavior: a policy that does not allow balance reads", () => {
  // The planner reads the wallet's balances before the first spend. Under a policy without
  // `balance` that read would be refused, and every spending command of the key would fail with it
  // (the README's own example policy, allowedActions ["transfer", "pay"], did).
  it("a transfer completes without the balance read; asking for the balance is refused by the rule", async () => {
    const { agentKey } = await createAgentKey({
      name: `no-balance-${Date.now()}`,
      allowedActions: ["transfer", "pay"],
    });

    const transfer = await waitForRun(
      host,
      (
        await execute(
          host,
          { command: "transfer 0.01 USDC to 0x90F79bf6EB2c4f870365E785982E1f101E93b906" },
          agentKey,
        )
      ).runId,
    );
    expect(transfer.status, JSON.stringify(transfer.error)).toBe("completed");
    expect(transfer.steps.map((step: { action: string }) => step.action)).toEqual(["transfer"]);

    // The refusal names the action from 1 in its message and carries its index from 0, as the
    // run's steps count; nothing of the command runs.
    const balance = await waitForRun(
      host,
      (
        await execute(
          host,
          {
            command:
              "transfer 0.01 USDC to 0x90F79bf6EB2c4f870365E785982E1f101E93b906 then check my balance",
          },
          agentKey,
        )
      ).runId,
    );
    expect(balance.status).toBe("failed");
    expect(balance.error.code).toBe("policy_refused");
    expect(balance.error.message).toMatch(
      /^Action 2 .*balance is not among the policy's allowed actions/,
    );
    expect(balance.error.step).toBe(1);
    expect(balance.steps.every((step: { status: string }) => step.status !== "completed")).toBe(
      true,
    );
  });
});

// The payee a payment really goes to is known only from its 402: the policy's payee rules apply to
// it before anything is signed (lib/policy guardPayee), for a pay and for a subscription's first
// period, whose action names neither the address nor the host.
describe("behavior: counterparties.deny holds for the payee the 402 names", () => {
  /** The devnet merchant (anvil account 3): the demo resources' default payTo. */
  const merchant = "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as Address;

  async function merchantUsdc(): Promise<bigint> {
    const client = createPublicClient({
      transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`),
    });
    const usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
      .address as Address;
    return client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [merchant],
    });
  }

  it("an x402 payment to a denied payTo is refused unsigned", async () => {
    const { agentKey } = await createAgentKey({
      name: `deny-payto-${Date.now()}`,
      allowedActions: ["pay"],
      counterparties: { deny: [merchant] },
    });
    const before = await merchantUsdc();
    const accepted = await host.request(
      "POST",
      "/api/payments/x402",
      {
        url: `http://127.0.0.1:${host.port}/api/demo/market-data`,
        maxAmount: { amount: "0.10", token: "USDC" },
      },
      agentKey,
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const run = await waitForRun(host, accepted.body.runId);
    expect(run.status).toBe("failed");
    expect(run.error.code, JSON.stringify(run.error)).toBe("policy_refused");
    expect(run.error.message).toContain(
      `${merchant.toLowerCase()} is on the policy's deny list (rule counterparties.deny)`,
    );
    expect(run.error.step).toBe(0);
    expect(await merchantUsdc()).toBe(before);
    // Refused before the payment row, which is written before signing: nothing was signed.
    const payments = await host.request("GET", `/api/payments?sessionId=${run.sessionId}`);
    expect(payments.status).toBe(200);
    expect(payments.body.payments).toEqual([]);
  });

  it("a subscription to a service on a denied host pays nothing", async () => {
    const { agentKey } = await createAgentKey({
      name: `deny-host-${Date.now()}`,
      allowedActions: ["subscribe"],
      counterparties: { deny: [`127.0.0.1:${host.port}`] },
    });
    const before = await merchantUsdc();
    const run = await waitForRun(
      host,
      (await execute(host, { command: "subscribe to the market data api daily" }, agentKey)).runId,
    );
    expect(run.status).toBe("failed");
    expect(run.error.code, JSON.stringify(run.error)).toBe("policy_refused");
    expect(run.error.message).toContain(`127.0.0.1:${host.port} is on the policy's deny list`);
    expect(await merchantUsdc()).toBe(before);
  });
});

describe("behavior: a service registered for another network", () => {
  it("is named as such, by name and by URL, instead of passing for unregistered (and its URL for unknown)", async () => {
    const name = "Faraway Testnet Feed";
    const endpoint = `http://127.0.0.1:${host.port}/api/demo/testnet-feed-${Date.now()}`;
    const registered = await host.request("POST", "/api/services", {
      name,
      category: "market-data",
      endpoint,
      price: { amount: "0.1", token: "USDC", network: "cronos-testnet" },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    for (const command of [`subscribe to ${name} daily`, `pay ${endpoint}`]) {
      const run = await waitForRun(host, (await execute(host, { command })).runId);
      expect(run.status, command).toBe("failed");
      expect(run.error.code).toBe("plan_failed");
      expect(run.error.message, command).toMatch(
        new RegExp(
          `^${name} is registered, priced in 0x[0-9a-fA-F]{40} on eip155:338, which this deployment \\(devnet\\) cannot pay`,
        ),
      );
    }
  });
});
