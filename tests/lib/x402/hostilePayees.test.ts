import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BudgetReservationError } from "../../../lib/budget/index.js";
import { resolveHeldSpends } from "../../../lib/runs/wake/resolveHeldSpends.js";
import { RedirectRefusedError } from "../../../lib/security/fetchPinned.js";
import {
  PayeeChangedError,
  PaymentVoidedError,
  PriceAboveLimitError,
  UnsupportedAssetError,
} from "../../../lib/x402/errors.js";
import type { PaymentOutcome } from "../../../lib/x402/executePayment.js";
import { findPaymentByNonce } from "../../../lib/x402/paymentRecords.js";
import { readAuthorizationState } from "../../../lib/x402/readAuthorizationState.js";
import { resolveUnknownPayments } from "../../../lib/x402/resolveUnknownPayments.js";
import {
  type HostilePayee,
  type KeptPayment,
  startHostilePayee,
} from "../../helpers/hostilePayee.js";
import { type HostileHarness, type StepResult, startHostileHarness } from "./hostileHarness.js";

let h: HostileHarness;
let payee: HostilePayee;
let merchant: Address;
const PRICE = 1_000_000n; // 1 USDC
const BUDGET = 1_500_000n; // 1.5 USDC: room for one such payment, not two

beforeAll(async () => {
  h = await startHostileHarness();
  merchant = h.devnet.accounts.merchant.address;
  payee = await startHostilePayee({
    rpcUrl: h.devnet.rpcUrl,
    chainId: h.devnet.chainId,
    facilitatorKey: h.devnet.accounts.facilitator.privateKey,
    terms: {
      amount: PRICE.toString(),
      asset: h.usdc,
      payTo: merchant,
      // What servers ask for in the wild; Paygent signs for X402_AUTHORIZATION_TTL_SECONDS at most.
      maxTimeoutSeconds: 7 * 24 * 3600,
      extra: { name: "Paygent USD", version: "2" },
    },
  });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/** The error a step threw (fails the test when it did not throw). */
function errorOf(result: StepResult): Error {
  if (result.kind !== "thrown") throw new Error(`expected a thrown error, got ${result.kind}`);
  return result.error;
}

/** The outcome a step returned (fails the test when it threw). */
function outcomeOf(result: StepResult): PaymentOutcome {
  if (result.kind === "thrown") throw result.error;
  return result.outcome;
}

/** Wallet out-flow equals settled spend equals the used authorizations: the books match the chain. */
async function expectBooksMatchChain(sessionId: string, walletBefore: bigint) {
  const walletOut = walletBefore - (await h.usdcBalance(h.agent.address));
  const { spent } = await h.ledger(sessionId);
  const payments = await h.db.db
    .selectFrom("payments")
    .selectAll()
    .where("session_id", "=", sessionId)
    .execute();
  const used = await h.usedAuthorizations();
  let usedHere = 0n;
  for (const payment of payments) {
    const amount = used.get(payment.nonce as `0x${string}`);
    if (amount === undefined) {
      expect(payment.status, payment.id).not.toBe("settled");
      continue;
    }
    usedHere += amount;
    expect(payment.status, `${payment.id} used on chain`).toBe("settled");
  }
  expect(spent).toBe(walletOut);
  expect(usedHere).toBe(walletOut);
  return { walletOut, spent };
}

describe("hostile payees (lib level, real anvil and Postgres)", () => {
  test("behavior: authorizations are bounded by the configured TTL, not the server's 7 days", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const result = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(result.kind).toBe("settled");
    const row = await h.db.db
      .selectFrom("payments")
      .selectAll()
      .where("run_id", "=", runId)
      .executeTakeFirstOrThrow();
    const window = BigInt(row.valid_before!) - BigInt(Math.floor(row.created_at.getTime() / 1000));
    expect(window).toBeGreaterThan(590n);
    expect(window).toBeLessThanOrEqual(601n);
    await expectBooksMatchChain(sessionId, before);
  });

  test("behavior: keeps the signature and answers 500 → cancelled on chain, released; its later settle fails", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const result = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(result.kind).toBe("thrown");
    const error = errorOf(result);
    expect(error).toBeInstanceOf(PaymentVoidedError);
    expect((error as PaymentVoidedError).outcome).toBe("cancelled");
    const kept = payee.kept.at(-1)!;
    const row = await findPaymentByNonce(h.db.db, kept.nonce);
    expect(row).toMatchObject({ status: "cancelled", payee_failed: true });
    // The payee tries to use the signature it kept: the chain refuses.
    const [late] = await payee.settleKept();
    expect(late!.success).toBe(false);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(0n);
  });

  test("behavior: the issue's repro without a way to cancel — the unknown payment keeps its reservation, so the second is refused; the late settlement is booked", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const before = await h.usdcBalance(h.agent.address);
    const first = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
    });
    expect(first.kind).toBe("unknown");
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: PRICE });
    const second = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
    });
    expect(second.kind).toBe("thrown");
    expect(errorOf(second).name).toBe("BudgetExceededError");

    // The payee settles what it kept; the reconciler books it against the session.
    const settled = await payee.settleKept();
    expect(settled.map((s) => s.success)).toEqual([true]);
    const pass = await resolveUnknownPayments({
      db: h.db.db,
      publicClient: h.publicClient,
      cache: h.cache,
    });
    const paymentId = outcomeOf(first).paymentId;
    expect(pass.settled).toContain(paymentId);
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(PRICE); // ≤ the 1.5 USDC budget
  });

  test("behavior: the payee settles between its 500 and the cancel → settled, booked, flagged", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    // The 500 reaches the client only after the payee used the signature: a lost race for the cancel.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (new Headers(init?.headers).has("payment-signature")) await payee.settleKept();
      return response;
    };
    const result = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      fetch: racing,
    });
    expect(result.kind).toBe("settled");
    const outcome = outcomeOf(result);
    expect(outcome).toMatchObject({ payeeFailed: true, via: "recovered" });
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    await expectBooksMatchChain(sessionId, before);
  });

  test("behavior: 402 again after payment, 200 without settling, and a made-up transaction → all cancelled, nothing paid", async () => {
    for (const kind of ["reject-again", "keep-and-deliver", "fake-transaction"] as const) {
      payee.setBehaviour({ kind });
      const sessionId = await h.newSession(BUDGET);
      const before = await h.usdcBalance(h.agent.address);
      const result = await h.payStep(await h.newRun(sessionId), {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
      });
      expect(result.kind, kind).toBe("thrown");
      expect(errorOf(result), kind).toBeInstanceOf(PaymentVoidedError);
      const state = await readAuthorizationState(h.publicClient, {
        asset: h.usdc,
        payer: h.agent.address,
        nonce: payee.kept.at(-1)!.nonce,
      });
      expect(state.state, kind).toBe("cancelled");
      expect(
        (await payee.settleKept()).every((s) => !s.success),
        kind,
      ).toBe(true);
      const { walletOut } = await expectBooksMatchChain(sessionId, before);
      expect(walletOut, kind).toBe(0n);
    }
  });

  /**
   * A pay step whose paid request reaches the payee, which keeps the signature, and whose answer
   * never arrives (its host was killed, its deadline passed). Resolves once the payee has it.
   */
  async function payCutOffAfterSending(runId: string, sessionId: string): Promise<KeptPayment> {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    let delivered!: () => void;
    const paidRequestDelivered = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const cutOffAfterSending: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!new Headers(init?.headers).has("payment-signature")) return response;
      delivered();
      return new Promise<Response>(() => {}); // the answer never arrives
    };
    void h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      fetch: cutOffAfterSending,
    });
    await paidRequestDelivered;
    return payee.kept.at(-1)!;
  }

  test("behavior: an attempt cut off after sending, then a retry the payee answers for free → the kept authorization is cancelled, not booked as 0", async () => {
    // The step runs again, and the payee now answers the unpaid request 200, asking nothing, to
    // settle what it kept later (before the fix: "settled, 0 spent", then 1 USDC left unbooked).
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const kept = await payCutOffAfterSending(runId, sessionId);

    payee.setBehaviour({ kind: "free" });
    const retry = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(retry.kind).toBe("thrown");
    expect(errorOf(retry)).toBeInstanceOf(PaymentVoidedError);
    expect(await findPaymentByNonce(h.db.db, kept.nonce)).toMatchObject({
      status: "cancelled",
      payee_failed: true,
    });
    // The payee tries to use the signature it kept: the chain refuses, and nothing is booked.
    const [late] = await payee.settleKept();
    expect(late!.success).toBe(false);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(0n);
  });

  test("behavior: the same without a way to cancel → unknown with its reservation kept; the late settlement is booked", async () => {
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    await payCutOffAfterSending(runId, sessionId);

    payee.setBehaviour({ kind: "free" });
    const retry = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
    });
    expect(retry.kind).toBe("unknown");
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: PRICE });
    expect((await payee.settleKept()).map((s) => s.success)).toEqual([true]);
    const pass = await resolveUnknownPayments({
      db: h.db.db,
      publicClient: h.publicClient,
      cache: h.cache,
    });
    expect(pass.settled).toContain(outcomeOf(retry).paymentId);
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(PRICE);
  });

  test("behavior: a payee that stalls until the run is cancelled and its reservation went back gets nothing signed", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    let answer!: () => void;
    const stalled = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let asked!: () => void;
    const requested = new Promise<void>((resolve) => {
      asked = resolve;
    });
    // The unpaid request hangs (a payee may take 60 s a request, and redirect three times).
    const stalling: typeof fetch = async (input, init) => {
      asked();
      await stalled;
      return fetch(input, init);
    };
    const step = h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE, fetch: stalling });
    await requested;
    // Meanwhile the run is cancelled, and once its reservation has been quiet for a minute the
    // background pass gives it back: the step has sent nothing yet, so that is right.
    await h.db.db
      .updateTable("runs")
      .set({ status: "cancelled" })
      .where("id", "=", runId)
      .execute();
    await h.db.db
      .updateTable("spend_ledger")
      .set({ updated_at: new Date(Date.now() - 61_000) })
      .where("run_id", "=", runId)
      .execute();
    expect(await resolveHeldSpends(h.db.db)).toMatchObject({ released: 1 });
    // Then the payee answers 402: the budget behind the step is gone, so nothing may be signed.
    answer();
    const error = errorOf(await step);
    expect(error).toBeInstanceOf(BudgetReservationError);
    expect(error.message).toMatch(/is released: nothing may be sent/);
    expect(
      await h.db.db.selectFrom("payments").select("id").where("run_id", "=", runId).execute(),
    ).toEqual([]);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(0n);
  });

  test("behavior: a resource that asks nothing is fetched for free: nothing signed, nothing booked", async () => {
    payee.setBehaviour({ kind: "free" });
    const sessionId = await h.newSession(BUDGET);
    const result = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
    });
    expect(outcomeOf(result)).toMatchObject({
      status: "settled",
      via: "not-required",
      amount: "0",
    });
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
  });

  test("error: a price raised between probe and pay, another asset or another payTo is refused unsigned", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET * 10n);
    const signedBefore = payee.requests.filter((r) => r.paid).length;
    const probe = async () => {
      const response = await fetch(payee.url);
      await response.body?.cancel();
      return response.status;
    };

    // Probe sees 1 USDC, the payment is asked 2 USDC.
    expect(await probe()).toBe(402);
    payee.changeTermsAfter(0, { amount: (PRICE * 2n).toString() });
    const raised = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE * 3n,
      expected: { amount: PRICE, payTo: merchant, asset: h.usdc },
    });
    expect(errorOf(raised)).toBeInstanceOf(PayeeChangedError);
    const overLimit = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
    });
    expect(errorOf(overLimit)).toBeInstanceOf(PriceAboveLimitError);

    payee.setTerms({ amount: PRICE.toString(), payTo: h.devnet.accounts.deployer.address });
    const otherPayTo = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      expected: { payTo: merchant },
    });
    expect((errorOf(otherPayTo) as PayeeChangedError).field).toBe("payTo");

    payee.setTerms({ payTo: merchant, asset: h.devnet.addresses.vvs });
    const otherAsset = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
    });
    expect(errorOf(otherAsset)).toBeInstanceOf(UnsupportedAssetError);
    payee.setTerms({ asset: h.usdc });

    expect(payee.requests.filter((r) => r.paid).length).toBe(signedBefore);
    expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
  });

  test("error: redirects to another origin or a private address are refused before signing; a redirected paid request is a failed payee", async () => {
    const sessionId = await h.newSession(BUDGET);
    const before = await h.usdcBalance(h.agent.address);
    const signedBefore = payee.requests.filter((r) => r.paid).length;
    for (const location of [
      "http://10.0.0.7/steal",
      "http://169.254.169.254/latest/meta-data/",
      "https://example.com/",
    ]) {
      payee.setBehaviour({ kind: "redirect", location, when: "unpaid" });
      const result = await h.payStep(await h.newRun(sessionId), {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
      });
      expect(errorOf(result), location).toBeInstanceOf(RedirectRefusedError);
    }
    // Same host, another port: another origin too.
    payee.setBehaviour({
      kind: "redirect",
      location: `http://127.0.0.1:1/resource`,
      when: "unpaid",
    });
    const port = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
    });
    expect(errorOf(port)).toBeInstanceOf(RedirectRefusedError);
    expect(payee.requests.filter((r) => r.paid).length).toBe(signedBefore);

    payee.setBehaviour({ kind: "redirect", location: "http://10.0.0.7/paid", when: "paid" });
    const paid = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
    });
    expect(errorOf(paid)).toBeInstanceOf(PaymentVoidedError);
    expect(errorOf(paid).message).toContain("redirect");
    expect(payee.requests.filter((r) => r.paid).length).toBe(signedBefore + 1);
    const { walletOut } = await expectBooksMatchChain(sessionId, before);
    expect(walletOut).toBe(0n);
  });

  test("behavior: a facilitator that answers pending is not a failure: unknown, content kept, booked when it settles", async () => {
    payee.setBehaviour({ kind: "pending", settleAfterMs: 300 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const result = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(result.kind).toBe("unknown");
    const outcome = outcomeOf(result);
    expect(outcome.payeeFailed).toBe(false);
    expect(JSON.parse(outcome.content!.body).data).toBe("hostile content");
    // Not cancelled: the authorization is still unused right after the answer.
    const nonce = payee.kept.at(-1)!.nonce;
    expect((await findPaymentByNonce(h.db.db, nonce))?.cancel_tx_hash).toBeNull();
    await payee.flush();
    const woken: string[] = [];
    const pass = await resolveUnknownPayments({
      db: h.db.db,
      publicClient: h.publicClient,
      cache: h.cache,
      onResolved: async (payment) => woken.push(payment.nonce),
    });
    expect(pass.settled).toHaveLength(1);
    expect(woken).toEqual([nonce]);
    // The step run again collects the settled payment with its content, without paying again.
    const again = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(again.kind).toBe("settled");
    expect(outcomeOf(again).content?.body).toContain("hostile content");
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    await expectBooksMatchChain(sessionId, before);
  });
});
