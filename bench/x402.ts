import { performance } from "node:perf_hooks";
import type { Network } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { executePayment } from "../lib/x402/executePayment.js";
import { payForResource } from "../lib/x402/payForResource.js";
import { selectRequirement } from "../lib/x402/selectRequirement.js";
import { createTestDb } from "../tests/helpers/db.js";
import { startX402Fixture } from "../tests/lib/x402/x402Fixture.js";
import { type BenchRow, percentile, round } from "./stats.js";

const SAMPLES = 40;
const WARMUP = 3;

/**
 * One paid request of the demo market-data resource (0.10 USDC, settled on a local anvil by the
 * devnet facilitator over HTTP), through our client and through the official @x402/fetch client,
 * against the same in-process server in the same run. Calls alternate so all see the same chain
 * and machine load. Each paid request verifies, settles and waits for a receipt.
 *
 * Two of ours: payForResource (the HTTP client alone) and executePayment, the pay step's path
 * since issue 14: the payment row is written (and marked sent) in the embedded database before
 * the signature leaves, and the settlement is proven from the chain (the named transaction's
 * receipt must carry AuthorizationUsed) before it is recorded as settled.
 */
export async function run(): Promise<BenchRow[]> {
  const [fx, store] = await Promise.all([startX402Fixture(), createTestDb("pglite")]);
  try {
    const session = "ses_bench_x402";
    await store.db.insertInto("agent_sessions").values({ id: session }).execute();
    let counter = 0;
    const url = `${fx.baseUrl}/api/demo/market-data`;
    const chainId = fx.devnet.chainId;

    const ours = async () => {
      const result = await payForResource({
        url,
        account: fx.agent,
        publicClient: fx.publicClient,
        select: (required) =>
          selectRequirement({
            accepts: required.accepts,
            chainId,
            allowedAssets: fx.allowedAssets,
            maxAmount: 1_000_000n,
          }),
      });
      if (result.status !== 200 || !result.settlement) throw new Error("our client did not settle");
    };

    // The run row exists before a pay step runs, so it is written outside the timed call.
    const newRun = async () => {
      const id = `run_bench_${++counter}`;
      await store.db
        .insertInto("runs")
        .values({ id, session_id: session, command: "pay for market data", status: "running" })
        .execute();
      return id;
    };
    const recorded = async (runId: string) => {
      const outcome = await executePayment({
        db: store.db,
        runId,
        stepId: "step_pay",
        sessionId: session,
        url,
        maxAmount: 1_000_000n,
        allowedAssets: fx.allowedAssets,
        account: fx.agent,
        publicClient: fx.publicClient,
      });
      if (outcome.status !== "settled" || outcome.via !== "paid")
        throw new Error(`executePayment did not settle (${outcome.status})`);
    };

    const network = `eip155:${chainId}` as Network;
    // Same limits as ours: the devnet USDC allowed, at most 1 USDC per payment.
    const client = x402Client.fromConfig({
      schemes: [
        { network, client: new ExactEvmScheme(toClientEvmSigner(fx.agent, fx.publicClient)) },
      ],
      spendControls: {
        allowedAssets: [{ network, asset: fx.usdc, maxAmountPerPayment: "1000000" }],
      },
    });
    const paidFetch = wrapFetchWithPayment(fetch, client);
    const official = async () => {
      const response = await paidFetch(url);
      await response.text();
      if (response.status !== 200 || !response.headers.get("payment-response")) {
        throw new Error(`official client did not settle (${response.status})`);
      }
    };

    for (let i = 0; i < WARMUP; i++) {
      await ours();
      await recorded(await newRun());
      await official();
    }
    const oursMs: number[] = [];
    const recordedMs: number[] = [];
    const officialMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const runId = await newRun();
      const calls: [() => Promise<void>, number[]][] = [
        [ours, oursMs],
        [() => recorded(runId), recordedMs],
        [official, officialMs],
      ];
      // Rotate which goes first so none always follows a fresh block.
      for (let r = 0; r < i % 3; r++) calls.push(calls.shift()!);
      for (const [call, samples] of calls) {
        const started = performance.now();
        await call();
        samples.push(performance.now() - started);
      }
    }
    const p50Ours = percentile(oursMs, 50);
    const p50Recorded = percentile(recordedMs, 50);
    const p50Official = percentile(officialMs, 50);
    return [
      { name: "paid request p50, payForResource", value: round(p50Ours), unit: "ms" },
      {
        name: "paid request p95, payForResource",
        value: round(percentile(oursMs, 95)),
        unit: "ms",
      },
      { name: "paid request p50, executePayment", value: round(p50Recorded), unit: "ms" },
      {
        name: "paid request p95, executePayment",
        value: round(percentile(recordedMs, 95)),
        unit: "ms",
      },
      { name: "paid request p50, @x402/fetch", value: round(p50Official), unit: "ms" },
      {
        name: "paid request p95, @x402/fetch",
        value: round(percentile(officialMs, 95)),
        unit: "ms",
      },
      {
        name: "p50 ratio ours / official",
        value: round(p50Ours / p50Official),
        unit: "x",
        target: "≤ 1.2",
      },
      {
        name: "p50 ratio executePayment / official",
        value: round(p50Recorded / p50Official),
        unit: "x",
        target: "≤ 1.2",
      },
    ];
  } finally {
    await Promise.all([fx.stop(), store.dispose()]);
  }
}
