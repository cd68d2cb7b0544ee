import { type Address, createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditBooks, seededRandom, settleRuns } from "../helpers/chainBooks.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { type RpcFaultProxy, startRpcFaultProxy } from "../helpers/rpcFaultProxy.js";
import { execute } from "../helpers/runs.js";

/**
 * A real host whose every RPC request (its steps, its devnet facilitator, its reconciler) goes
 * through a fault proxy that answers 503s, drops connections and stalls for seconds, on a seeded
 * schedule, while 10 paid commands and 5 swaps run. Session budgets bind (0.85 USDC for ten
 * 0.10 USDC payments, 45 CRO for five 10 CRO swaps). Afterwards, on the chain itself: what left
 * the wallet ≤ the budgets; the books match the chain both ways; unclear payments and transactions
 * keep their reservations; no run is stuck in `running` without a named wait.
 */
const SEED = 14_2026;
const PAYS = 10;
const SWAPS = 5;
const USDC_BUDGET = 850_000n;
const CRO_BUDGET = 45n * 10n ** 18n;

let devnet: TestDevnet;
let proxy: RpcFaultProxy;
let host: HostProcess;

beforeAll(async () => {
  devnet = await startTestDevnet();
  proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  host = await startHostProcess({
    database: "postgres",
    env: { RATE_LIMIT_PER_MINUTE: "100000", RPC_URL: proxy.url },
  });
}, 240_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
  await proxy?.stop();
  await devnet?.stop();
});

/** Faults on a seeded schedule until `until` (90% of the time): 503s, dropped connections, stalls of 1–6 s. */
async function injectFaults(until: number, random: () => number): Promise<void> {
  while (Date.now() < until) {
    const pick = random();
    let ms = 500 + Math.floor(random() * 2000);
    if (pick < 0.3) proxy.failFor(ms);
    else if (pick < 0.6) proxy.dropFor(ms);
    else if (pick < 0.9) {
      ms = 1000 + Math.floor(random() * 5000);
      proxy.stallFor(ms);
    }
    // else: a quiet spell of `ms`
    await new Promise((resolve) => setTimeout(resolve, ms + 100 + Math.floor(random() * 400)));
  }
  proxy.heal();
}

describe("behavior: RPC faults between the host and the chain", () => {
  it("moves nothing outside the budgets and keeps the books equal to the chain", async () => {
    const random = seededRandom(SEED);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const agent = devnet.accounts.agent.address as Address;
    const usdc = devnet.addresses.usdc as Address;
    const fromBlock = (await chain.getBlockNumber()) + 1n;

    const session = async (budget: { amount: string; token: string }) => {
      const created = await host.request("POST", "/api/agent/sessions", { budget });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return (created.body.session ?? created.body).id as string;
    };
    const paySession = await session({ amount: "0.85", token: "USDC" });
    const swapSession = await session({ amount: "45", token: "CRO" });

    // The commands, interleaved in a seeded order, spread over the 25 s of faults.
    const commands = [
      ...Array.from({ length: PAYS }, () => ({
        sessionId: paySession,
        // The host's own demo resource, settled by its devnet facilitator (through the proxy too).
        command: `pay 0.10 USDC to ${host.url}/api/demo/market-data`,
      })),
      ...Array.from({ length: SWAPS }, () => ({
        sessionId: swapSession,
        command: "swap 10 CRO for USDC",
      })),
    ].sort(() => random() - 0.5);
    const faults = injectFaults(Date.now() + 25_000, seededRandom(SEED + 1));
    const runIds: string[] = [];
    for (const body of commands) {
      // The API itself is not behind the proxy; only its chain reads and writes are.
      runIds.push((await execute(host, body)).runId);
      await new Promise((resolve) => setTimeout(resolve, 800 + Math.floor(random() * 1200)));
    }
    await faults;
    expect(proxy.stats.failed + proxy.stats.dropped + proxy.stats.stalled).toBeGreaterThan(10);

    // Healed: every run ends or waits on something named (retries and the reconciler finish).
    const unsettled = await settleRuns(host, runIds, 150_000);
    expect(
      [...unsettled].map(([id, run]) => `${id}: ${JSON.stringify(run?.steps ?? run)}`),
    ).toEqual([]);
    // Give the reconciler a few rounds so late facts (a receipt, a used authorization) are booked.
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const audit = await auditBooks({
      host,
      rpcUrl: devnet.rpcUrl,
      agent,
      usdc,
      fromBlock,
      sessionIds: [paySession, swapSession],
    });
    const outcomes: Record<string, number> = {};
    for (const id of runIds) {
      const { body: run } = await host.request("GET", `/api/runs/${id}`);
      const line = `${run.status}${run.error ? ` ${run.error.code}: ${String(run.error.message).slice(0, 120)}` : ""}`;
      outcomes[line] = (outcomes[line] ?? 0) + 1;
    }
    console.log(
      JSON.stringify({
        outcomes,
        faults: proxy.stats,
        runs: audit.runStatuses,
        payments: audit.paymentStatuses,
        usdcPaid: String(audit.usdcPaid),
        croSent: String(audit.nativeSent),
      }),
    );
    expect(audit.problems).toEqual([]);
    expect(audit.usdcPaid <= USDC_BUDGET).toBe(true);
    expect(audit.nativeSent <= CRO_BUDGET).toBe(true);
    // Something did get through: the faults are intermittent, not an outage.
    expect(audit.usdcPaid).toBeGreaterThan(0n);
    expect(audit.nativeSent).toBeGreaterThan(0n);
  }, 420_000);
});
