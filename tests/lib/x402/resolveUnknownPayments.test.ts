import { sql } from "kysely";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainContext } from "../../../lib/chain/clients.js";
import type { PaymentOutcome } from "../../../lib/x402/executePayment.js";
import {
  findPaymentByNonce,
  markEndedRunPaymentsUnknown,
} from "../../../lib/x402/paymentRecords.js";
import { resolvePayment } from "../../../lib/x402/resolvePayment.js";
import { resolveUnknownPayments } from "../../../lib/x402/resolveUnknownPayments.js";
import type { HostilePayee } from "../../helpers/hostilePayee.js";
import { type RpcFaultProxy, startRpcFaultProxy } from "../../helpers/rpcFaultProxy.js";
import {
  type HostileHarness,
  type StepResult,
  startHarnessPayee,
  startHostileHarness,
} from "./hostileHarness.js";

let h: HostileHarness;
let payee: HostilePayee;
let proxy: RpcFaultProxy;
const PRICE = 250_000n;
const BUDGET = 10_000_000n;

beforeAll(async () => {
  h = await startHostileHarness();
  proxy = await startRpcFaultProxy({ target: h.devnet.rpcUrl });
  payee = await startHarnessPayee(h, {
    amount: PRICE,
    behaviour: { kind: "keep-and-fail", status: 500 },
  });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await proxy?.stop();
  await h?.stop();
});

function unknownOf(result: StepResult): Extract<PaymentOutcome, { status: "unknown" }> {
  if (result.kind !== "unknown" || result.outcome.status !== "unknown") {
    throw new Error(`expected an unknown payment, got ${result.kind}`);
  }
  return result.outcome;
}

const reconcile = (extra: Partial<Parameters<typeof resolveUnknownPayments>[0]> = {}) =>
  resolveUnknownPayments({ db: h.db.db, publicClient: h.publicClient, cache: h.cache, ...extra });

/** A fetch that turns on an RPC fault as soon as the paid request has been answered. */
function faultAfterPaidAnswer(fault: () => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (new Headers(init?.headers).has("payment-signature")) fault();
    return response;
  };
}

describe("resolveUnknownPayments (real anvil, Postgres, RPC faults)", () => {
  test("behavior: an RPC outage while resolving leaves the payment unknown (reserved); the reconciler cancels it later → released", async () => {
    const proxied = createChainContext({ network: "devnet", rpcUrl: proxy.url });
    for (const fault of ["fail", "drop"] as const) {
      const sessionId = await h.newSession(BUDGET);
      const serviceId = await h.newService(payee.url);
      const before = await h.usdcBalance(h.agent.address);
      const result = await h.payStep(await h.newRun(sessionId), {
        sessionId,
        serviceId,
        url: payee.url,
        maxAmount: PRICE,
        chain: proxied,
        fetch: faultAfterPaidAnswer(() =>
          fault === "fail" ? proxy.failFor(5_000) : proxy.dropFor(5_000),
        ),
      });
      // The executePayment above read the chain through `h.publicClient` for the 402 part, but
      // its cancel goes through the faulty proxy: nothing is proven, nothing is released.
      const unknown = unknownOf(result);
      expect(unknown.payeeFailed, fault).toBe(true);
      expect(await h.ledger(sessionId), fault).toEqual({ spent: 0n, reserved: PRICE });
      proxy.heal();

      const pass = await reconcile({ chain: h.chain });
      expect(pass.released, fault).toContain(unknown.paymentId);
      const row = await findPaymentByNonce(h.db.db, unknown.nonce);
      expect(row, fault).toMatchObject({ status: "cancelled" });
      expect(row?.booked_at, fault).toBeInstanceOf(Date);
      expect(await h.ledger(sessionId), fault).toEqual({ spent: 0n, reserved: 0n });
      expect(await h.reputationOf(serviceId), fault).toEqual({ successes: 0, failures: 1 });
      expect(
        (await payee.settleKept()).every((s) => !s.success),
        fault,
      ).toBe(true);
      expect(await h.usdcBalance(h.agent.address), fault).toBe(before);
    }
    expect(proxy.stats.failed + proxy.stats.dropped).toBeGreaterThan(0);
  });

  test("behavior: a stalled RPC only slows resolution down; the outcome is still proven", async () => {
    const proxied = createChainContext({ network: "devnet", rpcUrl: proxy.url });
    const sessionId = await h.newSession(BUDGET);
    const started = Date.now();
    const result = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: proxied,
      fetch: faultAfterPaidAnswer(() => proxy.stallFor(2_500)),
    });
    expect(result.kind).toBe("thrown"); // cancelled: PaymentVoidedError
    expect(Date.now() - started).toBeGreaterThan(2_000);
    expect(proxy.stats.stalled).toBeGreaterThan(0);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
  });

  test("behavior: settled later → booked once, even with two reconcilers racing", async () => {
    const sessionId = await h.newSession(BUDGET);
    const serviceId = await h.newService(payee.url);
    const before = await h.usdcBalance(h.agent.address);
    const unknown = unknownOf(
      await h.payStep(await h.newRun(sessionId), {
        sessionId,
        serviceId,
        url: payee.url,
        maxAmount: PRICE,
        chain: null,
      }),
    );
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    const [a, b] = await Promise.all([reconcile(), reconcile()]);
    expect(a.settled.includes(unknown.paymentId) || b.settled.includes(unknown.paymentId)).toBe(
      true,
    );
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    // The payee failed before it settled: one outcome, recorded as a failure, exactly once.
    expect(await h.reputationOf(serviceId)).toEqual({ successes: 0, failures: 1 });
    expect(before - (await h.usdcBalance(h.agent.address))).toBe(PRICE);
  });

  test("behavior: a pending payment whose process died after sending is adopted, resolved and booked", async () => {
    const sessionId = await h.newSession(BUDGET);
    const unknown = unknownOf(
      await h.payStep(await h.newRun(sessionId), {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
        chain: null,
      }),
    );
    // Exactly what a SIGKILL right after the send leaves: pending, sent, nobody watching it.
    await h.db.db
      .updateTable("payments")
      .set({
        status: "pending",
        unknown_since: null,
        updated_at: sql`now() - interval '10 minutes'`,
      })
      .where("nonce", "=", unknown.nonce)
      .execute();
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    const pass = await reconcile({ staleAfterSeconds: 120 });
    expect(pass.settled).toContain(unknown.paymentId);
    expect(await findPaymentByNonce(h.db.db, unknown.nonce)).toMatchObject({ status: "settled" });
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
  });

  test("behavior: a pending payment whose run's workflow ended (retries spent) is adopted at once, not after the stale wait", async () => {
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const unknown = unknownOf(
      await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE, chain: null }),
    );
    // A step that sent and then failed for good: pending and sent, only just updated.
    await h.db.db
      .updateTable("payments")
      .set({ status: "pending", unknown_since: null, updated_at: sql`now()` })
      .where("nonce", "=", unknown.nonce)
      .execute();
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    // The background checks' stale wait: a live step's own retry would still win.
    const early = await reconcile({ staleAfterSeconds: 600 });
    expect(early.settled).not.toContain(unknown.paymentId);
    expect(await findPaymentByNonce(h.db.db, unknown.nonce)).toMatchObject({ status: "pending" });

    // finishEndedRuns found the run's workflow ended: no step will come back for it.
    expect(await markEndedRunPaymentsUnknown(h.db.db, runId)).toBe(1);
    const pass = await reconcile({ staleAfterSeconds: 600 });
    expect(pass.settled).toContain(unknown.paymentId);
    expect(await findPaymentByNonce(h.db.db, unknown.nonce)).toMatchObject({ status: "settled" });
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    expect(await markEndedRunPaymentsUnknown(h.db.db, runId)).toBe(0);
  });

  test("behavior: resolved but not booked (a crash in between) → the next pass books it", async () => {
    const sessionId = await h.newSession(BUDGET);
    const unknown = unknownOf(
      await h.payStep(await h.newRun(sessionId), {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
        chain: null,
      }),
    );
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    const row = (await findPaymentByNonce(h.db.db, unknown.nonce))!;
    await resolvePayment({ db: h.db.db, publicClient: h.publicClient, payment: row });
    expect(await findPaymentByNonce(h.db.db, unknown.nonce)).toMatchObject({
      status: "settled",
      booked_at: null,
    });
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: PRICE });
    await reconcile();
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
  });

  test("behavior: a reservation released by mistake is re-booked when the payment settles", async () => {
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const unknown = unknownOf(
      await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE, chain: null }),
    );
    // What main did: believe the failure and give the budget back.
    await h.db.db
      .updateTable("spend_ledger")
      .set({ status: "released" })
      .where("id", "=", `${runId}:0`)
      .execute();
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    await reconcile();
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
  });

  test("behavior: expired unused → released, and the payee can no longer use it", async () => {
    const sessionId = await h.newSession(BUDGET);
    const before = await h.usdcBalance(h.agent.address);
    const unknown = unknownOf(
      await h.payStep(await h.newRun(sessionId), {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
        chain: null,
        authorizationTtlSeconds: 8,
      }),
    );
    // Still valid: the reconciler proves nothing and keeps the reservation.
    const early = await reconcile();
    expect(early.stillUnknown).toContain(unknown.paymentId);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: PRICE });

    const wait = Number(BigInt(unknown.validBefore) * 1000n) - Date.now() + 1_100;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    await h.mine(); // the chain's clock moves only with blocks
    const pass = await reconcile();
    expect(pass.released).toContain(unknown.paymentId);
    expect(await findPaymentByNonce(h.db.db, unknown.nonce as Hex)).toMatchObject({
      status: "expired",
    });
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(false);
    expect(await h.usdcBalance(h.agent.address)).toBe(before);
  }, 30_000);
});
