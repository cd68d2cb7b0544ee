import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { type HostProcess, restartableHostData, startHostProcess } from "../helpers/host.js";
import { createPostgresWorld } from "../helpers/postgresWorld.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * "Survives" means survives SIGKILL. A host is killed with runs (a) waiting on an approval hook,
 * (b) sleeping until its approval expires, and (c) in the middle of its actions — first killed
 * right after an x402 payment settled on chain but before anything recorded it, then killed again
 * right after the payment was recorded but before the step returned to the workflow. After the
 * restarts every run reaches its end exactly once: one payment, one transfer, one swap, on chain and
 * in the database. Run on the embedded default (PGlite + local world) and on the Postgres world.
 */
// Not an anvil account: none of the fixtures (merchant, facilitator, agent) ever touch it.
const recipient = "0x1111111111111111111111111111111111111111" as Address;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

interface WorldSetup {
  name: string;
  env(): Promise<Record<string, string>>;
}

const worlds: WorldSetup[] = [
  { name: "local world on embedded PGlite", env: async () => ({}) },
  {
    name: "Postgres world",
    env: async () => {
      // Jobs the killed hosts had locked are released after 15 s (default 300 s).
      const world = await createPostgresWorld("paygent_world", {
        WORKFLOW_POSTGRES_RECLAIM_SECONDS: "15",
      });
      cleanups.push(world.drop);
      return world.env;
    },
  },
];

// The two worlds run side by side: each has its own devnet, data folder and ports, and most of a
// world's minute is spent waiting (host starts, an approval's expiry, the world's reclaim delay).
describe.concurrent.each(worlds)("behavior: runs survive SIGKILL ($name)", (world) => {
  it("every run completes exactly once after the host is killed three times", async () => {
    const { base, dispose } = await restartableHostData("survival");
    cleanups.push(dispose);
    const env = {
      ...(await world.env()),
      RATE_LIMIT_PER_MINUTE: "100000",
      // Loose operator policy: this test is about crashes, not limits (a 1000 CRO swap is worth
      // ~100 USD, the built-in default's per-action cap); limits are tests/long/policy.test.ts.
      PAYGENT_DEFAULT_POLICY: JSON.stringify({
        allowedActions: ["balance", "transfer", "swap", "pay", "discover"],
      }),
    };
    const start = (fault?: "after-settle" | "after-action") =>
      startHostProcess({ ...base, env: { ...env, ...(fault ? { PAYGENT_FAULT: fault } : {}) } });

    // Host 1: (a) waits on an approval hook; (b) sleeps until its approval expires. Then SIGKILL.
    let host: HostProcess = await start();
    const a = await execute(host, { command: "swap 1000 CRO for USDC", approvalThreshold: "5" });
    const b = await execute(host, {
      command: "swap 2000 CRO for USDC",
      approvalThreshold: "5",
      approvalTimeoutSeconds: 20,
    });
    await waitForRun(host, a.runId, ["waiting_approval"]);
    await waitForRun(host, b.runId, ["waiting_approval"]);
    const chain = createPublicClient({ transport: http(`http://127.0.0.1:${base.devnetPort}`) });
    const usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
      .address as Address;
    await host.kill();

    // Host 2 dies (by fault injection) right after (c)'s payment settles on chain, before it is recorded.
    host = await start("after-settle");
    const recipientBefore = await chain.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    const c = await execute(host, {
      command: `pay 0.10 USDC to the market data API then send 1 USDC to ${recipient}`,
    });
    await new Promise<void>((resolve) => host.child.once("exit", () => resolve()));
    expect(host.output()).toContain("fault injection");

    // Host 3 recovers the payment from the chain, records it, and dies before the step returns.
    host = await start("after-action");
    await new Promise<void>((resolve) => host.child.once("exit", () => resolve()));

    // Host 4 finishes everything.
    host = await start();
    cleanups.push(() => host.stop());
    const approval = (await waitForRun(host, a.runId, ["waiting_approval"])).pendingApprovals[0];
    expect(
      (await host.request("POST", `/api/approvals/${approval.token}`, { decision: "approve" }))
        .status,
    ).toBe(200);

    const finished = (runId: string) =>
      waitForRun(host, runId, ["completed", "failed", "cancelled"], 180_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}\n--- host output ---\n${host.output().slice(-4000)}`);
        },
      );
    const runA = await finished(a.runId);
    const runB = await finished(b.runId);
    const runC = await finished(c.runId);

    // (a) resumed by its approval after two crashes: one swap transaction.
    expect(runA.status, JSON.stringify(runA.error)).toBe("completed");
    const swap = runA.steps.find((s: { action: string }) => s.action === "swap");
    expect(swap.txHashes).toHaveLength(1);
    // (b) slept through the crashes and expired exactly once; it never swapped.
    expect(runB.status).toBe("failed");
    expect(runB.error.code).toBe("approval_expired");
    expect(runB.steps.find((s: { action: string }) => s.action === "swap").txHashes).toEqual([]);
    // (c) paid once and transferred once, although its pay step ran three times.
    expect(runC.status, JSON.stringify(runC.error)).toBe("completed");
    const pay = runC.steps.find((s: { action: string }) => s.action === "pay");
    expect(pay.output.via).toBe("recovered");
    const payments = await host.request("GET", `/api/payments?sessionId=${c.sessionId}`);
    expect(payments.body.payments).toHaveLength(1);
    expect(payments.body.payments[0]).toMatchObject({ status: "settled", amount: "100000" });
    const transferEvents = await chain.getContractEvents({
      address: usdc,
      abi: erc20Abi,
      eventName: "Transfer",
      args: { to: pay.output.payTo as Address },
      fromBlock: 0n,
    });
    expect(transferEvents.filter((e) => e.transactionHash === pay.output.transaction)).toHaveLength(
      1,
    );
    const authorizationUses = await chain.getLogs({
      address: usdc,
      event: {
        type: "event",
        name: "AuthorizationUsed",
        inputs: [
          { indexed: true, name: "authorizer", type: "address" },
          { indexed: true, name: "nonce", type: "bytes32" },
        ],
      },
      args: { nonce: payments.body.payments[0].nonce },
      fromBlock: 0n,
    });
    expect(authorizationUses).toHaveLength(1);
    const recipientAfter = await chain.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(recipientAfter - recipientBefore).toBe(1_000_000n);
  }, 900_000);
});
