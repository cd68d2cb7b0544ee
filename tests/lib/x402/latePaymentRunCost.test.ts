import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { performPay } from "../../../lib/actions/pay/performPay.js";
import { PayAction } from "../../../lib/actions/pay/schema.js";
import type { ActionOutcome } from "../../../lib/actions/types.js";
import { reserveBudget } from "../../../lib/budget/index.js";
import type { Payment, Run, RunStatus } from "../../../lib/db/database.js";
import type { CostItem, RunCost } from "../../../lib/runs/cost.js";
import { addRunCost } from "../../../lib/runs/runState.js";
import { bookPaymentOutcome } from "../../../lib/x402/bookPaymentOutcome.js";
import { resolveUnknownPayments } from "../../../lib/x402/resolveUnknownPayments.js";
import type { HostilePayee } from "../../helpers/hostilePayee.js";
import { type HostileHarness, startHarnessPayee, startHostileHarness } from "./hostileHarness.js";

/**
 * The books match the chain in each run's cost too: a payment that settles after its run was
 * cancelled (or gave up) while it was unknown still shows in that run's cost, as one x402 item of
 * the settled amount, and a payment is never counted twice whichever of the step (performPay) and
 * the late booking (bookPaymentOutcome) gets there first. Real anvil, Postgres, the pay action.
 */
let h: HostileHarness;
let payee: HostilePayee;
const PRICE = 400_000n;
const BUDGET = 10_000_000n;

beforeAll(async () => {
  h = await startHostileHarness();
  payee = await startHarnessPayee(h, { amount: PRICE });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/** A run with one planned pay step (its run_steps row), in the given state. */
async function newPayRun(sessionId: string): Promise<string> {
  const runId = await h.newRun(sessionId);
  await h.db.db
    .insertInto("run_steps")
    .values({ id: `${runId}:0`, run_id: runId, step_index: 0, action: "pay", status: "running" })
    .execute();
  return runId;
}

/** The pay step's perform, as runActionStep calls it after reserving its spend. */
async function performPayStep(runId: string, sessionId: string): Promise<ActionOutcome> {
  const key = { runId, stepIndex: 0 };
  await reserveBudget({
    db: h.db.db,
    cache: h.cache,
    sessionId,
    ...key,
    token: "USDC",
    amount: PRICE,
  });
  const run = (await h.db.db
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirstOrThrow()) as Run;
  const action = PayAction.parse({
    type: "pay",
    url: payee.url,
    token: "USDC",
    maxAmount: PRICE.toString(),
  });
  return performPay({ db: h.db.db, run, chain: h.chain }, action, {
    stepId: `${runId}:0`,
    index: 0,
    spend: { token: "USDC", amount: PRICE },
  });
}

/** What recordOutcome writes for a step's outcome: its cost appended, the step's status. */
async function recordStep(runId: string, outcome: ActionOutcome): Promise<void> {
  const run = await h.db.db
    .selectFrom("runs")
    .select(["id", "cost"])
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  await addRunCost(h.db.db, run, outcome.cost);
  await h.db.db
    .updateTable("run_steps")
    .set({ status: outcome.waitFor ? "waiting_event" : "completed" })
    .where("run_id", "=", runId)
    .where("step_index", "=", 0)
    .execute();
  if (outcome.waitFor) await setRunStatus(runId, "waiting_event");
}

async function setRunStatus(runId: string, status: RunStatus): Promise<void> {
  await h.db.db.updateTable("runs").set({ status }).where("id", "=", runId).execute();
}

async function x402Items(runId: string): Promise<CostItem[]> {
  const run = await h.db.db
    .selectFrom("runs")
    .select("cost")
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  return ((run.cost as RunCost | null)?.items ?? []).filter((item) => item.kind === "x402");
}

async function paymentOf(runId: string): Promise<Payment> {
  return h.db.db
    .selectFrom("payments")
    .selectAll()
    .where("run_id", "=", runId)
    .executeTakeFirstOrThrow();
}

const reconcile = () =>
  resolveUnknownPayments({
    db: h.db.db,
    publicClient: h.publicClient,
    cache: h.cache,
    chain: h.chain,
  });

/** A pay step whose payee answers "pending" and settles right after: the step waits, unknown. */
async function unknownPayStep(): Promise<{ runId: string; sessionId: string; paymentId: string }> {
  payee.setBehaviour({ kind: "pending", settleAfterMs: 0 });
  const sessionId = await h.newSession(BUDGET);
  const runId = await newPayRun(sessionId);
  const outcome = await performPayStep(runId, sessionId);
  expect(outcome.output).toMatchObject({ status: "unknown" });
  expect(outcome.cost).toEqual([]);
  await recordStep(runId, outcome);
  await payee.flush(); // the payee settles on chain
  return { runId, sessionId, paymentId: (outcome.output as { paymentId: string }).paymentId };
}

describe("a late x402 settlement in the run's cost (real anvil, Postgres)", () => {
  test("behavior: a run cancelled while its payment was unknown gets one x402 item of the settled amount when it settles; booking again adds nothing", async () => {
    const before = await h.usdcBalance(h.agent.address);
    const { runId, sessionId, paymentId } = await unknownPayStep();
    // The owner cancels the run while the payment is unknown: the step never comes back.
    await setRunStatus(runId, "cancelled");

    expect((await reconcile()).settled).toContain(paymentId);
    expect(before - (await h.usdcBalance(h.agent.address))).toBe(PRICE);
    expect((await h.ledger(sessionId)).spent).toBe(PRICE);
    const items = await x402Items(runId);
    expect(items).toEqual([
      expect.objectContaining({ kind: "x402", unit: "USDC", amount: PRICE.toString() }),
    ]);
    expect(items[0]?.detail).toContain(paymentId);

    // Booked again (a report after the reconciler, a crash before booked_at): nothing more.
    const again = await bookPaymentOutcome({ db: h.db.db, payment: await paymentOf(runId) });
    expect(again.claimed).toBe(false);
    await reconcile();
    expect(await x402Items(runId)).toEqual(items);
  });

  test("behavior: a run still waiting gets the item from the late booking, and the resumed pay step adds none", async () => {
    const { runId, paymentId } = await unknownPayStep();
    expect((await reconcile()).settled).toContain(paymentId);
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual([PRICE.toString()]);

    // Woken on payment:<nonce>, the step runs again and collects the settled payment.
    const resumed = await performPayStep(runId, (await paymentOf(runId)).session_id!);
    expect(resumed.output).toMatchObject({ paymentId, amount: PRICE.toString() });
    expect(resumed.cost).toEqual([]);
    await recordStep(runId, resumed);
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual([PRICE.toString()]);
  });

  test("behavior: a step that collected its late payment itself before the reconciler keeps exactly one item", async () => {
    const { runId, sessionId, paymentId } = await unknownPayStep();
    // The step's own resume resolves the payment from the chain first.
    const resumed = await performPayStep(runId, sessionId);
    expect(resumed.output).toMatchObject({ paymentId, amount: PRICE.toString() });
    expect(resumed.cost.map((item) => item.detail)).toEqual([
      `${payee.url} (payment ${paymentId})`,
    ]);
    await recordStep(runId, resumed);
    await setRunStatus(runId, "completed");

    // The reconciler still books it (resolved, booked_at unset): not into the run's cost again.
    expect((await reconcile()).settled).toContain(paymentId);
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual([PRICE.toString()]);
  });

  test("behavior: a payment settled by its step at once, then booked, is one item", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await newPayRun(sessionId);
    const outcome = await performPayStep(runId, sessionId);
    expect(outcome.output).toMatchObject({ via: "paid", amount: PRICE.toString() });
    await recordStep(runId, outcome);
    await setRunStatus(runId, "completed");

    await bookPaymentOutcome({ db: h.db.db, payment: await paymentOf(runId) });
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual([PRICE.toString()]);
  });
});

/** A settled payment row as the reconciler hands it over (no session, no reservation). */
function settledPayment(runId: string, stepId: string): Payment {
  const nonce = `0x${randomBytes(32).toString("hex")}`;
  return {
    id: `pay_${nonce.slice(2, 26)}`,
    run_id: runId,
    step_id: stepId,
    session_id: null,
    service_id: null,
    resource_url: "https://service.example/paid",
    amount: "250000",
    asset: h.usdc,
    network: `eip155:${h.devnet.chainId}`,
    pay_to: h.devnet.accounts.merchant.address,
    payer: h.agent.address,
    nonce,
    tx_hash: null,
    status: "settled",
    error: null,
    created_at: new Date(),
    updated_at: new Date(),
    settled_at: new Date(),
    valid_after: "0",
    valid_before: "0",
    requirement: null,
    search_from_block: null,
    response: null,
    sent_at: new Date(),
    payee_failed: false,
    unknown_since: new Date(),
    booked_at: null,
    cancel_tx_hash: null,
    reservation_run_id: null,
    reservation_step_index: null,
    offer: null,
    receipt: null,
  } as Payment;
}

describe("a late settlement of a subscription payment (Postgres)", () => {
  test("behavior: a subscribe step's payment is booked only once its run has ended, unless the step completed", async () => {
    const runId = await h.newRun(await h.newSession(BUDGET));
    await h.db.db
      .insertInto("run_steps")
      .values({
        id: `${runId}:0`,
        run_id: runId,
        step_index: 0,
        action: "subscribe",
        status: "waiting_event",
      })
      .execute();
    const payment = settledPayment(runId, `${runId}:0`);
    // Still running: the subscribe step collects it and books its own "first period" item.
    await bookPaymentOutcome({ db: h.db.db, payment });
    expect(await x402Items(runId)).toEqual([]);
    // Cancelled meanwhile: nothing else ever books it.
    await setRunStatus(runId, "cancelled");
    await bookPaymentOutcome({ db: h.db.db, payment });
    await bookPaymentOutcome({ db: h.db.db, payment });
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual(["250000"]);

    // A subscribe step that completed booked its own item with it: none beside it.
    const done = await h.newRun(await h.newSession(BUDGET));
    await h.db.db
      .insertInto("run_steps")
      .values({
        id: `${done}:0`,
        run_id: done,
        step_index: 0,
        action: "subscribe",
        status: "completed",
      })
      .execute();
    await setRunStatus(done, "completed");
    await bookPaymentOutcome({ db: h.db.db, payment: settledPayment(done, `${done}:0`) });
    expect(await x402Items(done)).toEqual([]);
  });

  test("behavior: a renewal's payment is booked only once its run has ended, never beside renewSubscription's own item", async () => {
    const runId = await h.newRun(await h.newSession(BUDGET));
    const payment = settledPayment(runId, `${runId}:renewal:3`);
    await bookPaymentOutcome({ db: h.db.db, payment });
    expect(await x402Items(runId)).toEqual([]); // its retry books "renewal 4"
    await setRunStatus(runId, "completed");
    await bookPaymentOutcome({ db: h.db.db, payment });
    await bookPaymentOutcome({ db: h.db.db, payment });
    expect((await x402Items(runId)).map((item) => item.amount)).toEqual(["250000"]);

    // renewSubscription collected it before the run ended: its "renewal 4" is the one item.
    const renewed = await h.newRun(await h.newSession(BUDGET));
    const run = await h.db.db
      .selectFrom("runs")
      .select(["id", "cost"])
      .where("id", "=", renewed)
      .executeTakeFirstOrThrow();
    await addRunCost(h.db.db, run, [
      { kind: "x402", unit: "USDC", amount: "250000", detail: "renewal 4" },
    ]);
    await setRunStatus(renewed, "completed");
    await bookPaymentOutcome({
      db: h.db.db,
      payment: settledPayment(renewed, `${renewed}:renewal:3`),
    });
    expect((await x402Items(renewed)).map((item) => item.detail)).toEqual(["renewal 4"]);
  });
});
