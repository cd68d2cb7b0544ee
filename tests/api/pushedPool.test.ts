import { createTestClient, http, parseEther } from "viem";
import { describe, expect, it } from "vitest";
import { createChainContext } from "../../lib/chain/clients.js";
import { priceUsd } from "../../lib/chain/priceUsd.js";
import { execute, waitForRun } from "../helpers/runs.js";
import { sellCroIntoPool } from "../helpers/sellCroIntoPool.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * A pool pushed for a moment, through a real host (Postgres, local workflow world, anvil devnet).
 * An agent whose policy caps an action at 5 USD asks for 60 CRO ($6 at the devnet pool's $0.10),
 * someone sells 2,000,000 CRO into the pool (CRO near $0.025), and the agent asks again: still
 * refused, because policy checks hold CRO to the prices of the last 24 hours (lib/policy
 * chainPricer). And a swap into a pool pushed below its own recent average is refused before
 * anything is sent (lib/chain/averages).
 */
const host = useHostProcess({
  database: "postgres",
  env: { RATE_LIMIT_PER_MINUTE: "100000" },
});

const recipient = "0x1111111111111111111111111111111111111111";

/** A new agent key under a new policy: the Authorization header it is used with. */
async function agentUnder(
  policyDocument: Record<string, unknown>,
): Promise<Record<string, string>> {
  const policy = await host.request("POST", "/api/policies", policyDocument);
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  const key = await host.request("POST", "/api/keys", {
    name: `agent under ${policyDocument.name}`,
    role: "agent",
    policyId: policy.body.id,
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { authorization: `Bearer ${key.body.key}` };
}

describe("error: a pool pushed down does not let a CRO spend past a USD limit", () => {
  it("transfer 60 CRO is refused by maxPerAction 5 USD before and after the push", async () => {
    const agentKey = await agentUnder({
      name: "five dollars an action",
      allowedActions: ["transfer"],
      maxPerAction: { amount: "5", token: "USD" },
    });

    const refused = async () => {
      const accepted = await execute(
        host,
        { command: `transfer 60 CRO to ${recipient}` },
        agentKey,
      );
      const run = await waitForRun(host, accepted.runId);
      expect(run.status, JSON.stringify(run.error)).toBe("failed");
      expect(run.error.code, JSON.stringify(run.error)).toBe("policy_refused");
      expect(run.error.message).toContain("maxPerAction");
      return run;
    };
    await refused();

    // Someone sells 2,000,000 CRO into the 2,000,000 CRO / 200,000 USDC pool.
    const rpcUrl = `http://127.0.0.1:${host.env.DEVNET_PORT}`;
    const chain = createChainContext({ network: "devnet", rpcUrl });
    await sellCroIntoPool(chain, rpcUrl, parseEther("2000000"));
    const spot = await priceUsd(chain, { token: "CRO", amount: parseEther("60") });
    expect(Number(spot.usd)).toBeLessThan(2); // the moment's price would let 60 CRO through

    const run = await refused();
    expect(run.error.message).toContain("6 USD");
  }, 180_000);

  it("the planner's approval threshold is decided at the held price too: 120 CRO still waits for a person", async () => {
    // A policy without an approval threshold: the session's (DEFAULT_APPROVAL_THRESHOLD_USD, $10)
    // is applied by the planner alone. The pool is still pushed down (~$0.025): 120 CRO would be
    // ~$3 at the moment's price and run unapproved; held to the window it is $12.
    const agentKey = await agentUnder({
      name: "no threshold of its own",
      allowedActions: ["balance", "transfer"],
    });
    const accepted = await execute(host, { command: `transfer 120 CRO to ${recipient}` }, agentKey);
    const waiting = await waitForRun(host, accepted.runId, [
      "waiting_approval",
      "completed",
      "failed",
    ]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const transfer = waiting.plan.actions.find(
      (a: { action: { type: string } }) => a.action.type === "transfer",
    );
    expect(transfer).toMatchObject({ requiresApproval: true, usdValue: "12" });
    expect(transfer.reason).toContain("above the $10 approval threshold");
    const cancelled = await host.request("POST", `/api/runs/${accepted.runId}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
  }, 120_000);
});

describe("error: a pool pushed down does not buy the wallet's CRO", () => {
  it("a swap into a pool pushed below its average is refused at planning, and at its step when the push came during its approval", async () => {
    const rpcUrl = `http://127.0.0.1:${host.env.DEVNET_PORT}`;
    const chain = createChainContext({ network: "devnet", rpcUrl });
    const anvil = createTestClient({ mode: "anvil", transport: http(rpcUrl) });
    const wallet = (await host.request("GET", "/api/wallet/balance")).body.address as `0x${string}`;
    // A swap now records the pool's oracle; a quarter of an hour passes on the chain.
    const first = await execute(host, { command: "swap 5 CRO for USDC" });
    const swapped = await waitForRun(host, first.runId);
    expect(swapped.status, JSON.stringify(swapped.error)).toBe("completed");
    await anvil.increaseTime({ seconds: 15 * 60 });
    await anvil.mine({ blocks: 1 });

    // Planned while the pool is at its average; over the $10 threshold (held price), so it waits.
    const held = await execute(host, { command: "swap 150 CRO for USDC" });
    const waiting = await waitForRun(host, held.runId, ["waiting_approval", "completed", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");

    await sellCroIntoPool(chain, rpcUrl, parseEther("2000000"));
    const croBefore = await chain.publicClient.getBalance({ address: wallet });
    const refused = async (runId: string, code: string) => {
      const run = await waitForRun(host, runId);
      expect(run.status, JSON.stringify(run.error)).toBe("failed");
      expect(run.error.code, JSON.stringify(run.error)).toBe(code);
      expect(run.error.message).toMatch(/less than its average over the last 1\d minutes/);
      expect(run.error.message).toContain("nothing was sent");
      return run;
    };

    // A new swap is refused by its plan: nobody is asked to approve it.
    const accepted = await execute(host, { command: "swap 50 CRO for USDC" });
    expect((await refused(accepted.runId, "plan_failed")).plan).toBeNull();

    // The one approved before the push is refused by its step, which looks again when it sends.
    const { token } = waiting.pendingApprovals[0];
    const approved = await host.request("POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const stepRefused = await refused(held.runId, "action_failed");
    expect(stepRefused.error.step).toBe(1);
    expect(await chain.publicClient.getBalance({ address: wallet })).toBe(croBefore);
  }, 120_000);
});
