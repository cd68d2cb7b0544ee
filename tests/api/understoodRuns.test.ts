import { type Address, createPublicClient, erc20Abi, http, parseEther } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { execute, waitForRun } from "../helpers/runs.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * Commands the grammar reads since issue 19, run end to end through a real host on anvil: dollars
 * ("$1" paid as 1 USDC), a URL with no amount (probed, then paid within policy), and whole
 * balances ("all my USDC / CRO", read from the chain when the step runs, always approved). The
 * whole-balance tests empty the wallet, so they come last.
 */
const host = useHostProcess({
  database: "postgres",
  env: {
    RATE_LIMIT_PER_MINUTE: "100000",
    // Deliberately loose operator policy: these tests are about what the grammar plans (the
    // whole-balance ones set a threshold no swap reaches, to show "all" is approved regardless;
    // a policy without one caps a command's threshold at the default, so the default is raised);
    // the policy limits themselves are tested in tests/long/policy.test.ts.
    PAYGENT_DEFAULT_POLICY: JSON.stringify({
      allowedActions: ["balance", "transfer", "swap", "pay", "discover"],
    }),
    DEFAULT_APPROVAL_THRESHOLD_USD: "1000000",
  },
});
let client: ReturnType<typeof createPublicClient>;
let agent: Address;
let usdc: Address;

const rpc = (method: string, params: unknown[] = []) =>
  fetch(`http://127.0.0.1:${host.env.DEVNET_PORT}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  }).then((r) => r.json());

const usdcOf = (owner: Address) =>
  client.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [owner] });

beforeAll(async () => {
  client = createPublicClient({ transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`) });
  const balances = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body;
  agent = balances.address as Address;
  usdc = balances.balances[0].address as Address;
}, 240_000);

/** The session's one pending approval, as GET /api/approvals lists it (with its human summary). */
async function pendingApproval(sessionId: string): Promise<any> {
  const listed = await host.request("GET", `/api/approvals?status=pending&sessionId=${sessionId}`);
  expect(listed.body.approvals).toHaveLength(1);
  return listed.body.approvals[0];
}

async function approve(runId: string): Promise<any> {
  const waiting = await waitForRun(host, runId, ["waiting_approval", "failed", "completed"]);
  expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
  const { token } = waiting.pendingApprovals[0];
  const decided = await host.request("POST", `/api/approvals/${token}`, { decision: "approve" });
  expect(decided.status).toBe(200);
  return waiting;
}

describe("behavior: dollars and URLs without a price", () => {
  it('"send $1 to 0x…" pays 1 USDC and the plan and the run say so', async () => {
    const recipient = "0x4444444444444444444444444444444444444444" as Address;
    const before = await usdcOf(recipient);
    const accepted = await execute(host, { command: `send $1 to ${recipient}` });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(run.plan.explanation).toContain(`Transfer 1 USDC to ${recipient} ($1 paid as 1 USDC).`);
    const transfer = run.result.actions.find((a: any) => a.type === "transfer");
    expect(transfer.summary).toBe("Sent 1 USDC to 0x4444…4444 ($1 paid as 1 USDC)");
    expect((await usdcOf(recipient)) - before).toBe(1_000_000n);
  });

  it("a URL outside the catalogue is probed, paid its price, and needs approval above the threshold", async () => {
    // The catalogue lists the demo resource under 127.0.0.1; named by another host it is a URL the
    // registry does not list (a query string would not do: a URL finds its service however its
    // query is spelled). The demo resource still asks 0.10 USDC.
    const url = `http://localhost:${host.port}/api/demo/market-data?symbol=CRO`;
    const cheap = await execute(host, { command: `pay ${url}` });
    const paid = await waitForRun(host, cheap.runId);
    expect(paid.status, JSON.stringify(paid.error)).toBe("completed");
    const pay = paid.plan.actions.find((a: any) => a.action.type === "pay");
    expect(pay).toMatchObject({
      requiresApproval: false,
      action: { url, token: "USDC", maxAmount: "100000", probed: true },
    });
    expect(paid.plan.explanation.join("\n")).toContain("probed unpaid, it asks 0.1 USDC");
    const step = paid.steps.find((s: any) => s.action === "pay");
    expect(step.output).toMatchObject({ amount: "100000", token: "USDC", via: "paid" });

    const guarded = await execute(host, { command: `pay ${url}`, approvalThreshold: "0.05" });
    const waiting = await waitForRun(host, guarded.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    expect(waiting.pendingApprovals[0].reason).toMatch(
      /above the (\$0\.05 approval threshold|0\.05 USD threshold)/,
    );
    const rejected = await host.request(
      "POST",
      `/api/approvals/${waiting.pendingApprovals[0].token}`,
      {
        decision: "reject",
      },
    );
    expect(rejected.status).toBe(200);
    expect((await waitForRun(host, guarded.runId)).status).toBe("failed");
  });
});

describe("behavior: whole balances", () => {
  it('"swap all my USDC for CRO" always asks approval, then sells the balance the chain holds when it runs', async () => {
    const planned = await usdcOf(agent);
    const accepted = await execute(host, {
      command: "swap all my USDC for CRO",
      approvalThreshold: "1000000",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const approval = await pendingApproval(accepted.sessionId);
    expect(approval.summary).toContain("Swap all your USDC for CRO (");
    expect(waiting.pendingApprovals[0].reason).toContain("Swaps all your USDC (");
    expect(waiting.pendingApprovals[0].reason).toContain("a whole balance always needs approval");
    const swapAction = waiting.plan.actions.find((a: any) => a.action.type === "swap").action;
    expect(swapAction).toMatchObject({ all: true, amountIn: planned.toString() });

    // The balance changes while the run waits: 2 USDC leave the wallet through another run.
    const other = "0x5555555555555555555555555555555555555555" as Address;
    const moved = await execute(host, { command: `send 2 USDC to ${other}` });
    expect((await waitForRun(host, moved.runId)).status).toBe("completed");

    await approve(accepted.runId);
    const run = await waitForRun(host, accepted.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const swap = run.steps.find((s: any) => s.action === "swap");
    expect(swap.output.amountIn).toBe((planned - 2_000_000n).toString());
    expect(BigInt(swap.output.amountOut)).toBeGreaterThan(0n);
    expect(await usdcOf(agent)).toBe(0n);
  });

  it('"send all my CRO to 0x…" sends the balance at execution minus the gas reserve, once', async () => {
    const recipient = "0x6666666666666666666666666666666666666666" as Address;
    const accepted = await execute(host, {
      command: `send all my CRO to ${recipient}`,
      approvalThreshold: "1000000",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval", "failed"]);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_approval");
    const approval = await pendingApproval(accepted.sessionId);
    expect(approval.summary).toMatch(
      /^Send all your CRO to 0x6666…6666 \([\d.]+ CRO when planned; the balance is read again when it runs\)$/,
    );

    // The chain changes under the waiting run: the wallet now holds exactly 1234.5 CRO.
    const held = parseEther("1234.5");
    await rpc("anvil_setBalance", [agent, `0x${held.toString(16)}`]);
    await approve(accepted.runId);
    const run = await waitForRun(host, accepted.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const transfer = run.steps.find((s: any) => s.action === "transfer");
    // The devnet's fees are far below the 0.5 CRO floor, so the reserve is the floor.
    const sent = held - parseEther("0.5");
    expect(transfer.output).toMatchObject({ amount: sent.toString(), all: true, to: recipient });
    expect(await client.getBalance({ address: recipient })).toBe(sent);
    const gas = BigInt(run.cost.totals.CRO);
    expect(await client.getBalance({ address: agent })).toBe(parseEther("0.5") - gas);
    const summary = run.result.actions.find((a: any) => a.type === "transfer").summary;
    expect(summary).toBe("Sent all your CRO: 1234 CRO to 0x6666…6666");
  });
});
