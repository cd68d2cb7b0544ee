import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encodePaymentRequiredHeader } from "@x402/core/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainContext } from "../../../lib/chain/clients.js";
import { PaymentVoidedError, PriceAboveLimitError } from "../../../lib/x402/errors.js";
import { executePayment, type SettledPayment } from "../../../lib/x402/executePayment.js";
import { deriveNonce } from "../../../lib/x402/nonce.js";
import {
  eip3009NonceAbi,
  readAuthorizationState,
} from "../../../lib/x402/readAuthorizationState.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startX402Fixture, type X402Fixture } from "./x402Fixture.js";

let fx: X402Fixture;
let db: TestDb;
const SESSION = "ses_x402_test";
const PATH = "/api/demo/market-data";

beforeAll(async () => {
  [fx, db] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
});
afterAll(async () => {
  await Promise.all([fx?.stop(), db?.dispose()]);
});

let runCounter = 0;
async function newRun(): Promise<string> {
  const id = `run_x402_${++runCounter}_${Date.now()}`;
  await db.db
    .insertInto("runs")
    .values({ id, session_id: SESSION, command: "pay for market data", status: "running" })
    .execute();
  return id;
}

const payAny = (
  runId: string,
  stepId: string,
  overrides: Partial<Parameters<typeof executePayment>[0]> = {},
) =>
  executePayment({
    db: db.db,
    runId,
    stepId,
    sessionId: SESSION,
    url: `${fx.baseUrl}${PATH}`,
    maxAmount: 1_000_000n,
    allowedAssets: fx.allowedAssets,
    account: fx.agent,
    publicClient: fx.publicClient,
    ...overrides,
  });

/** executePayment that must settle (an honest server). */
const pay = async (
  runId: string,
  stepId: string,
  overrides: Partial<Parameters<typeof executePayment>[0]> = {},
): Promise<SettledPayment> => {
  const outcome = await payAny(runId, stepId, overrides);
  if (outcome.status !== "settled") throw new Error(`not settled: ${outcome.reason}`);
  return outcome;
};

const balances = async () => ({
  agent: await fx.usdcBalance(fx.agent.address),
  merchant: await fx.usdcBalance(fx.devnet.accounts.merchant.address),
});

describe("executePayment", () => {
  test("behavior: pays once and records a settled row with the on-chain transaction", async () => {
    const runId = await newRun();
    const before = await balances();
    const outcome = await pay(runId, "step_1");
    const after = await balances();
    expect(before.agent - after.agent).toBe(100_000n);
    expect(after.merchant - before.merchant).toBe(100_000n);
    expect(outcome).toMatchObject({
      status: "settled",
      via: "paid",
      movedMoney: true,
      amount: "100000",
    });
    expect(JSON.parse(outcome.content!.body).pair).toBe("CRO/USDC");

    const row = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", outcome.paymentId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "settled",
      run_id: runId,
      step_id: "step_1",
      amount: "100000",
      asset: fx.usdc,
      network: `eip155:${fx.devnet.chainId}`,
      pay_to: fx.devnet.accounts.merchant.address,
      payer: fx.agent.address,
      nonce: deriveNonce({ runId, stepId: "step_1" }),
      tx_hash: outcome.transaction,
      error: null,
    });
    expect(row.settled_at).toBeInstanceOf(Date);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: outcome.transaction! });
    expect(receipt.status).toBe("success");
  });

  test("behavior: running the same step again returns the settled row without any request", async () => {
    const runId = await newRun();
    const first = await pay(runId, "step_1");
    const requestsBefore = fx.seen.length;
    const before = await balances();
    const again = await pay(runId, "step_1");
    expect(fx.seen.length).toBe(requestsBefore);
    expect(await balances()).toEqual(before);
    expect(again).toMatchObject({
      via: "already-settled",
      movedMoney: false,
      paymentId: first.paymentId,
      transaction: first.transaction,
    });
    // The bought content comes back from the row, byte for byte.
    expect(again.content).toEqual(first.content);
    expect(JSON.parse(again.content!.body).pair).toBe("CRO/USDC");
  });

  test("behavior: a crash between settlement and bookkeeping is recovered from the chain; money moves once", async () => {
    const runId = await newRun();
    const signedBefore = fx.signedRequests(PATH);
    const before = await balances();

    // 1. A separate process pays and is SIGKILLed right after the settlement returns.
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./payInChild.ts", import.meta.url)),
        db.url!,
        runId,
        "step_1",
        SESSION,
        `${fx.baseUrl}${PATH}`,
        "1000000",
      ],
      {
        env: {
          ...process.env,
          PAYGENT_FAULT: "after-settle",
          PAYGENT_NETWORK: "devnet",
          RPC_URL: fx.devnet.rpcUrl,
          LOG_LEVEL: "silent",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, exitSignal) => resolve(exitSignal)),
    );
    expect(signal, stderr).toBe("SIGKILL");

    // The money moved, the row still says pending: exactly the window the recovery must cover.
    const afterCrash = await balances();
    expect(before.agent - afterCrash.agent).toBe(100_000n);
    const nonce = deriveNonce({ runId, stepId: "step_1" });
    const pending = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe("pending");
    expect(pending.tx_hash).toBeNull();
    expect(fx.signedRequests(PATH)).toBe(signedBefore + 1);

    // 2. The retried step (same run, same step) recovers the settlement from AuthorizationUsed.
    const outcome = await pay(runId, "step_1");
    expect(outcome).toMatchObject({ via: "recovered", movedMoney: false, amount: "100000" });
    expect(await balances()).toEqual(afterCrash);
    expect(fx.signedRequests(PATH)).toBe(signedBefore + 1);

    const logs = await fx.publicClient.getLogs({
      address: fx.usdc,
      event: eip3009NonceAbi[1],
      args: { authorizer: fx.agent.address, nonce },
      fromBlock: 0n,
    });
    expect(logs).toHaveLength(1);
    expect(outcome.transaction).toBe(logs[0]!.transactionHash);
    const settled = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(settled).toMatchObject({ status: "settled", tx_hash: logs[0]!.transactionHash });
    // The paid content cannot be fetched again without paying: reported as missing, not invented.
    expect(outcome.content).toBeNull();
  }, 120_000);

  test("behavior: when the server says the nonce is used (row lost), the payment is recovered, not repeated", async () => {
    const runId = await newRun();
    const first = await pay(runId, "step_1");
    // Simulate a database restored from before the payment: our row is gone, the chain remembers.
    await db.db.deleteFrom("payments").where("id", "=", first.paymentId).execute();
    const signedBefore = fx.signedRequests(PATH);
    const before = await balances();
    const outcome = await pay(runId, "step_1");
    expect(outcome).toMatchObject({
      via: "recovered",
      movedMoney: false,
      transaction: first.transaction,
    });
    expect(await balances()).toEqual(before);
    // One signature went out (same nonce); the facilitator refused it as already used.
    expect(fx.signedRequests(PATH)).toBe(signedBefore + 1);
    expect(fx.seen.at(-1)).toMatchObject({ path: PATH, status: 402 });
    const row = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", first.paymentId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "settled", tx_hash: first.transaction });
  });

  test("error: price above the limit leaves no row and signs nothing", async () => {
    const runId = await newRun();
    const signedBefore = fx.signedRequests(PATH);
    const error = await pay(runId, "step_1", { maxAmount: "99999" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PriceAboveLimitError);
    const rows = await db.db
      .selectFrom("payments")
      .select("id")
      .where("run_id", "=", runId)
      .execute();
    expect(rows).toHaveLength(0);
    expect(fx.signedRequests(PATH)).toBe(signedBefore);
  });

  test("error: a payee that refuses after receiving the signature gets it cancelled on chain; the retry signs nothing", async () => {
    fx.serve(
      "/test/reject",
      () =>
        new Response("{}", {
          status: 402,
          headers: {
            "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
              x402Version: 2,
              error: "merchant_closed",
              resource: { url: `${fx.baseUrl}/test/reject` },
              accepts: [
                {
                  scheme: "exact",
                  network: `eip155:${fx.devnet.chainId}`,
                  amount: "1000",
                  asset: fx.usdc,
                  payTo: fx.devnet.accounts.merchant.address,
                  maxTimeoutSeconds: 120,
                  extra: { name: "Paygent USD", version: "2" },
                },
              ],
            }),
          },
        }),
    );
    const runId = await newRun();
    const url = `${fx.baseUrl}/test/reject`;
    const chain = createChainContext({ network: "devnet", rpcUrl: fx.devnet.rpcUrl });
    const before = await balances();
    const error = await payAny(runId, "step_1", { url, chain }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentVoidedError);
    expect((error as PaymentVoidedError).outcome).toBe("cancelled");
    expect((error as Error).message).toContain("Payment rejected by the server: merchant_closed");
    const nonce = deriveNonce({ runId, stepId: "step_1" });
    const row = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "cancelled", payee_failed: true });
    expect(row.sent_at).toBeInstanceOf(Date);
    // The cancel is on chain: the nonce is spent by AuthorizationCanceled, not by a transfer.
    const state = await readAuthorizationState(fx.publicClient, {
      asset: fx.usdc,
      payer: fx.agent.address,
      nonce,
    });
    expect(state).toMatchObject({ state: "cancelled", transaction: row.cancel_tx_hash });
    expect(await balances()).toEqual(before);
    expect(fx.signedRequests("/test/reject")).toBe(1);

    const again = await payAny(runId, "step_1", { url, chain }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(PaymentVoidedError);
    expect(fx.signedRequests("/test/reject")).toBe(1);
  });
});
