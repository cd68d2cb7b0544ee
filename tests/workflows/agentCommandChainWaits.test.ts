import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getWorld } from "workflow/runtime";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * Through a real host (local world, anvil): a swap whose approval and swap are each still pending
 * after the inline wait. The run sleeps on the approval's hash, then (the approval mined) on the
 * swap's hash, for as long as the swap is pending, and completes when it is mined: never
 * `event_timeout` while the swap may still land, and the swap is on chain once.
 */
let host: HostProcess;
let rpcUrl: string;

beforeAll(async () => {
  host = await startHostProcess({
    env: { RATE_LIMIT_PER_MINUTE: "100000", CHAIN_INLINE_WAIT_MS: "500" },
  });
  rpcUrl = `http://127.0.0.1:${host.env.DEVNET_PORT}`;
  process.env.WORKFLOW_LOCAL_DATA_DIR = host.env.WORKFLOW_LOCAL_DATA_DIR;
}, 240_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

const rpc = (method: string, params: unknown[] = []) =>
  fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  }).then((r) => r.json() as Promise<{ result?: unknown; error?: unknown }>);

/** The swap step's row as the API shows it. */
async function swapStep(runId: string): Promise<{ status: string; txHashes: string[] }> {
  const run = (await host.request("GET", `/api/runs/${runId}`)).body;
  return run.steps.find((s: { action: string }) => s.action === "swap");
}

/** Polls the run's swap step until `ok`; a run that ends first fails at once, with its reason. */
async function untilSwapStep(
  runId: string,
  what: string,
  ok: (step: { status: string; txHashes: string[] }) => boolean,
) {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const run = (await host.request("GET", `/api/runs/${runId}`)).body;
    const step = run.steps.find((s: { action: string }) => s.action === "swap");
    if (ok(step)) return step;
    if (["completed", "failed", "cancelled"].includes(run.status) || Date.now() > deadline)
      throw new Error(
        `${what}: run ${run.status} ${JSON.stringify(run.error)}, step ${JSON.stringify(step)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("behavior: a step that sends two slow transactions", () => {
  it("waits on the approval, then on the swap, and completes once the swap is mined", async () => {
    const chain = createPublicClient({ transport: http(rpcUrl) });
    const usdc = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body.balances[0]
      .address as Address;
    const agent = (await host.request("GET", "/api/wallet/balance?tokens=USDC")).body
      .address as Address;
    const usdcOf = () =>
      chain.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [agent],
      });
    const before = await usdcOf();
    let runId = "";
    let approval = "";
    let swap = "";
    await rpc("evm_setAutomine", [false]);
    try {
      const accepted = await execute(host, { command: "swap 5 USDC for CRO" });
      runId = accepted.runId;
      await waitForRun(host, runId, ["waiting_event"]);
      [approval] = (await swapStep(runId)).txHashes as [string];
      await rpc("evm_mine"); // the approval lands; the swap step sends the swap, which waits
      const waiting = await untilSwapStep(
        runId,
        "the run waits on the swap",
        (step) => step.status === "waiting_event" && step.txHashes[0] !== approval,
      );
      [swap] = waiting.txHashes as [string];
      // Several inline waits later, the run still waits on the swap's hash (it used to fail here).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const still = (await host.request("GET", `/api/runs/${runId}`)).body;
      expect(still.status, JSON.stringify(still.error)).toBe("waiting_event");
      expect(
        await chain.getTransactionReceipt({ hash: swap as `0x${string}` }).catch(() => null),
      ).toBe(null);
      await rpc("evm_mine"); // the swap lands
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const run = await waitForRun(host, runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    // The swap (and, when the step names it, its approval): nothing else was sent.
    const hashes = (await swapStep(runId)).txHashes;
    expect(hashes).toContain(swap);
    expect(hashes.every((hash) => hash === swap || hash === approval)).toBe(true);
    expect(before - (await usdcOf())).toBe(5_000_000n);
    // The DevKit's own records: the swap step ran three times (sent the approval; sent the swap;
    // collected it), once per wait, and no final attempt.
    const { data } = await getWorld().steps.list({ runId: run.workflowRunId, resolveData: "none" });
    const names = [...data]
      .sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime())
      .map((step) => step.stepName.split("//").at(-1));
    expect(names.filter((name) => name === "swap")).toHaveLength(3);
    expect(approval).not.toBe(swap);
  }, 120_000);
});
