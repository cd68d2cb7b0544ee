import { createPublicClient, custom, type Hex, http, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { releaseBudget, reserveBudget } from "../../../lib/budget/index.js";
import { executePayment } from "../../../lib/x402/executePayment.js";
import { findPaymentByNonce } from "../../../lib/x402/paymentRecords.js";
import { readAuthorizationState } from "../../../lib/x402/readAuthorizationState.js";
import { resolvePayment } from "../../../lib/x402/resolvePayment.js";
import type { HostilePayee } from "../../helpers/hostilePayee.js";
import { type HostileHarness, startHarnessPayee, startHostileHarness } from "./hostileHarness.js";

/**
 * An RPC whose log index lags its state (load-balanced providers, indexers a block behind): the
 * token says a nonce is spent, and eth_getLogs does not yet show the event saying how. Neither
 * "paid" nor "cancelled" may be booked on that alone; a receipt we hold decides, or it stays
 * unknown with its reservation until the events show.
 */
let h: HostileHarness;
let payee: HostilePayee;
const PRICE = 1_000_000n;
const BUDGET = 1_500_000n;

beforeAll(async () => {
  h = await startHostileHarness();
  payee = await startHarnessPayee(h, {
    amount: PRICE,
    behaviour: { kind: "keep-and-fail", status: 500 },
  });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/** The real anvil, except that eth_getLogs finds nothing. */
function laggingLogs(): PublicClient {
  const base = http(h.devnet.rpcUrl)({ chain: h.chain.chain });
  return createPublicClient({
    chain: h.chain.chain,
    pollingInterval: 50,
    transport: custom({
      async request({ method, params }) {
        if (method === "eth_getLogs") return [];
        return base.request({ method, params } as never);
      },
    }),
  }) as PublicClient;
}

describe("x402 books with a lagging log index", () => {
  test("behavior: our cancel, proven by its own receipt, is booked cancelled, not as a settlement", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const key = { runId, stepIndex: 0 };
    await reserveBudget({
      db: h.db.db,
      cache: h.cache,
      sessionId,
      ...key,
      token: "USDC",
      amount: PRICE,
    });
    const outcome = await executePayment({
      db: h.db.db,
      runId,
      stepId: `${runId}:0`,
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      allowedAssets: [{ address: h.usdc, symbol: "USDC" }],
      reservation: key,
      account: h.agent,
      publicClient: laggingLogs(),
      chain: h.chain, // the failed payee's authorization is cancelled on the real chain
    }).catch((error: unknown) => error);
    // Before: a settled outcome of 1 USDC, and the budget settled, for money that never left.
    expect((outcome as Error).name).toBe("PaymentVoidedError");
    await releaseBudget({ db: h.db.db, cache: h.cache, ...key });

    const payment = await h.db.db
      .selectFrom("payments")
      .selectAll()
      .where("run_id", "=", runId)
      .executeTakeFirstOrThrow();
    expect(payment.status).toBe("cancelled");
    expect(before - (await h.usdcBalance(h.agent.address))).toBe(0n);
    expect((await h.ledger(sessionId)).spent).toBe(0n);
    // The chain, read with a working log index, agrees.
    const truth = await readAuthorizationState(h.publicClient, {
      asset: h.usdc,
      payer: h.agent.address,
      nonce: payment.nonce as Hex,
      fromBlock: h.startBlock,
    });
    expect(truth).toMatchObject({ state: "cancelled", transaction: payment.cancel_tx_hash });
  });

  test("behavior: a payee's late settlement we hold no receipt for stays unknown until the events show", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const result = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
    });
    expect(result.kind).toBe("unknown");
    const payment = await h.db.db
      .selectFrom("payments")
      .selectAll()
      .where("run_id", "=", runId)
      .executeTakeFirstOrThrow();
    // The payee settles the signature it kept, after the step gave up on an answer.
    expect((await payee.settleNonce(payment.nonce as Hex)).success).toBe(true);

    // Spent, and no event visible: neither settled nor cancelled is booked.
    const blind = await resolvePayment({ db: h.db.db, publicClient: laggingLogs(), payment });
    expect(blind).toMatchObject({ status: "unknown" });
    expect((await findPaymentByNonce(h.db.db, payment.nonce as Hex))?.status).not.toBe("settled");
    expect((await h.ledger(sessionId)).reserved).toBe(PRICE);

    // Once the log index has it, the settlement is booked.
    const seen = await resolvePayment({ db: h.db.db, publicClient: h.publicClient, payment });
    expect(seen).toMatchObject({ status: "settled" });
    expect((await findPaymentByNonce(h.db.db, payment.nonce as Hex))?.status).toBe("settled");
  });
});
