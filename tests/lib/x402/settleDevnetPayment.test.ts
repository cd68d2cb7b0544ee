import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { releaseBudget, reserveBudget, sumLedger } from "../../../lib/budget/index.js";
import { createMemoryCache } from "../../../lib/cache/memory.js";
import { createChainContext, resetChainContext } from "../../../lib/chain/clients.js";
import { resetConfig } from "../../../lib/config.js";
import { closeDb } from "../../../lib/db/index.js";
import { applyPaymentReport } from "../../../lib/x402/applyPaymentReport.js";
import { executePayment, type PaymentOutcome } from "../../../lib/x402/executePayment.js";
import { findPaymentByNonce } from "../../../lib/x402/paymentRecords.js";
import { readAuthorizationState } from "../../../lib/x402/readAuthorizationState.js";
import { flushDevnetSettlements } from "../../../lib/x402/settleDevnetPayment.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { type HostilePayee, startHostilePayee } from "../../helpers/hostilePayee.js";
import { startX402Fixture, type X402Fixture } from "./x402Fixture.js";

let fx: X402Fixture;
let db: TestDb;
const cache = createMemoryCache();
const SESSION = "ses_async";
const PATH = "/api/demo/market-data";
const PRICE = 100_000n;
let run = 0;

beforeAll(async () => {
  db = await createTestDb("pg");
  fx = await startX402Fixture();
  // The fixture points RPC_URL and X402_FACILITATOR_URL at itself; make its facilitator async
  // and let it report to the fixture's own payment webhook.
  process.env.DEVNET_FACILITATOR_MODE = "async";
  process.env.DEVNET_FACILITATOR_SETTLE_DELAY_MS = "200";
  process.env.WEBHOOK_SECRET = "whsec_async_test";
  process.env.PUBLIC_BASE_URL = fx.baseUrl;
  process.env.DATABASE_URL = db.url!;
  resetConfig();
  resetChainContext();
  const webhook = await import("../../../api/webhooks/payment.js");
  fx.serve("/api/webhooks/payment", webhook.POST);
  await db.db
    .insertInto("agent_sessions")
    .values({ id: SESSION, budget_amount: 1_000_000n, budget_token: "USDC" })
    .execute();
}, 120_000);
afterAll(async () => {
  for (const name of [
    "DEVNET_FACILITATOR_MODE",
    "DEVNET_FACILITATOR_SETTLE_DELAY_MS",
    "WEBHOOK_SECRET",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
  ]) {
    delete process.env[name];
  }
  resetConfig();
  await closeDb();
  await fx?.stop();
  await db?.dispose();
});

async function payStep(
  url = `${fx.baseUrl}${PATH}`,
): Promise<{ runId: string; outcome: PaymentOutcome }> {
  const runId = `run_async_${++run}`;
  await db.db
    .insertInto("runs")
    .values({ id: runId, session_id: SESSION, command: "pay", status: "running" })
    .execute();
  await reserveBudget({
    db: db.db,
    cache,
    sessionId: SESSION,
    runId,
    stepIndex: 0,
    token: "USDC",
    amount: PRICE,
  });
  const outcome = await executePayment({
    db: db.db,
    runId,
    stepId: `${runId}:0`,
    sessionId: SESSION,
    url,
    maxAmount: PRICE,
    allowedAssets: fx.allowedAssets,
    account: fx.agent,
    publicClient: fx.publicClient,
    chain: createChainContext({ network: "devnet", rpcUrl: fx.devnet.rpcUrl }),
    reservation: { runId, stepIndex: 0 },
  });
  return { runId, outcome };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("devnet facilitator in async mode", () => {
  test("behavior: the real paid route answers pending; the payment is unknown, then the signed webhook (checked on chain) settles and books it", async () => {
    const before = await fx.usdcBalance(fx.agent.address);
    const { outcome } = await payStep();
    expect(outcome.status).toBe("unknown");
    if (outcome.status !== "unknown") return;
    expect(outcome.payeeFailed).toBe(false);
    expect(JSON.parse(outcome.content!.body).pair).toBe("CRO/USDC");
    // Nothing moved yet, nothing was cancelled, and the reservation holds.
    expect(await fx.usdcBalance(fx.agent.address)).toBe(before);
    expect(await sumLedger(db.db, { sessionId: SESSION, unit: "usdc" })).toEqual({
      spent: 0n,
      reserved: PRICE,
    });

    await flushDevnetSettlements();
    const settled = await waitFor(
      () => findPaymentByNonce(db.db, outcome.nonce),
      (row) => row?.booked_at != null,
    );
    expect(settled).toMatchObject({ status: "settled", payee_failed: false });
    expect(settled!.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(before - (await fx.usdcBalance(fx.agent.address))).toBe(PRICE);
    expect(await sumLedger(db.db, { sessionId: SESSION, unit: "usdc" })).toEqual({
      spent: PRICE,
      reserved: 0n,
    });
  });

  test("behavior: a 'failed' report is checked on chain — used means settled, unused means cancelled and released", async () => {
    const payee: HostilePayee = await startHostilePayee({
      rpcUrl: fx.devnet.rpcUrl,
      chainId: fx.devnet.chainId,
      facilitatorKey: fx.devnet.accounts.facilitator.privateKey,
      terms: {
        amount: PRICE.toString(),
        asset: fx.usdc,
        payTo: fx.devnet.accounts.merchant.address,
        maxTimeoutSeconds: 300,
        extra: { name: "Paygent USD", version: "2" },
      },
      // Pending, and it settles only when the test says so.
      behaviour: { kind: "pending", settleAfterMs: 60_000_000 },
    });
    try {
      const chain = createChainContext({ network: "devnet", rpcUrl: fx.devnet.rpcUrl });
      const lying = await payStep(payee.url);
      const honest = await payStep(payee.url);
      expect([lying.outcome.status, honest.outcome.status]).toEqual(["unknown", "unknown"]);
      // The first one settles; its facilitator then reports "failed" anyway.
      expect((await payee.settleNonce(lying.outcome.nonce)).success).toBe(true);

      const wrong = await applyPaymentReport({
        db: db.db,
        publicClient: fx.publicClient,
        chain,
        cache,
        report: { nonce: lying.outcome.nonce, status: "failed", reason: "timeout" },
      });
      expect(wrong).toMatchObject({ status: "settled", resolved: true });
      const real = await applyPaymentReport({
        db: db.db,
        publicClient: fx.publicClient,
        chain,
        cache,
        report: { nonce: honest.outcome.nonce, status: "failed", reason: "insufficient gas" },
      });
      expect(real).toMatchObject({ status: "cancelled", resolved: true });
      const state = await readAuthorizationState(fx.publicClient, {
        asset: fx.usdc,
        payer: fx.agent.address,
        nonce: honest.outcome.nonce,
      });
      expect(state.state).toBe("cancelled");
      // Settled spend booked, the cancelled one's reservation released.
      const rows = await db.db
        .selectFrom("spend_ledger")
        .select(["run_id", "status"])
        .where("run_id", "in", [lying.runId, honest.runId])
        .orderBy("run_id")
        .execute();
      expect(Object.fromEntries(rows.map((r) => [r.run_id, r.status]))).toEqual({
        [lying.runId]: "settled",
        [honest.runId]: "released",
      });
      // A "settled" report the chain does not confirm is refused (409), never believed.
      const third = await payStep(payee.url);
      await expect(
        applyPaymentReport({
          db: db.db,
          publicClient: fx.publicClient,
          report: { nonce: third.outcome.nonce, status: "settled" },
        }),
      ).rejects.toMatchObject({ code: "conflict" });
      await releaseBudget({ db: db.db, cache, runId: third.runId, stepIndex: 0 });
    } finally {
      await payee.stop();
    }
  });
});
