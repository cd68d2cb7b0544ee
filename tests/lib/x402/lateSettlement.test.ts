import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { stepEvidence } from "../../../lib/runs/execute/stepEvidence.js";
import type { PaymentOutcome } from "../../../lib/x402/executePayment.js";
import { findPaymentByNonce } from "../../../lib/x402/paymentRecords.js";
import { resolveUnknownPayments } from "../../../lib/x402/resolveUnknownPayments.js";
import { type HostilePayee, startHostilePayee } from "../../helpers/hostilePayee.js";
import { type HostileHarness, type StepResult, startHostileHarness } from "./hostileHarness.js";

/**
 * A payee keeps a signature and settles it at the last moment, while the chain's clock and the
 * host's disagree. Expiry is decided by the chain alone, from one block: the state as of the block
 * whose timestamp says validBefore passed. Its own anvil: these tests move the chain's clock ahead.
 */
let h: HostileHarness;
let payee: HostilePayee;
let merchant: Address;
const PRICE = 1_000_000n; // 1 USDC
const BUDGET = 1_500_000n;

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
      maxTimeoutSeconds: 3600,
      extra: { name: "Paygent USD", version: "2" },
    },
    behaviour: { kind: "keep-and-fail", status: 500 },
  });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/** The outcome a step returned (fails the test when it threw). */
function outcomeOf(result: StepResult): PaymentOutcome {
  if (result.kind === "thrown") throw result.error;
  return result.outcome;
}

/** Wallet out-flow equals settled spend equals the used authorizations: the books match the chain. */
async function expectBooksMatchChain(sessionId: string, walletBefore: bigint) {
  const walletOut = walletBefore - (await h.usdcBalance(h.agent.address));
  const { spent } = await h.ledger(sessionId);
  const used = await h.usedAuthorizations();
  const payments = await h.db.db
    .selectFrom("payments")
    .select(["nonce", "status"])
    .where("session_id", "=", sessionId)
    .execute();
  let usedHere = 0n;
  for (const payment of payments) {
    const amount = used.get(payment.nonce as `0x${string}`);
    if (amount === undefined) continue;
    usedHere += amount;
    expect(payment.status).toBe("settled");
  }
  expect(spent).toBe(walletOut);
  expect(usedHere).toBe(walletOut);
}

describe("late settlements against the chain's clock (real anvil and Postgres)", () => {
  // The host clock test first: the race below moves the chain's clock past the wall clock.
  test("behavior: a host clock ahead of the chain does not make a step's unused authorization 'nothing'", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const unknown = outcomeOf(
      await h.payStep(runId, {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
        chain: null,
        authorizationTtlSeconds: 30,
      }),
    );
    if (unknown.status !== "unknown") throw new Error(`expected unknown, got ${unknown.status}`);
    // The host's clock says validBefore passed a minute ago; the chain's clock has not reached it.
    const evidenceWithHostAhead = async () => {
      const hostAhead = vi
        .spyOn(Date, "now")
        .mockReturnValue((Number(unknown.validBefore) + 60) * 1000);
      try {
        return await stepEvidence(h.db.db, `${runId}:0`);
      } finally {
        hostAhead.mockRestore();
      }
    };
    expect((await evidenceWithHostAhead()).state).toBe("pending");
    expect((await payee.settleNonce(unknown.nonce)).success).toBe(true);
    expect(await evidenceWithHostAhead()).toMatchObject({ state: "landed", amount: PRICE });
    await resolveUnknownPayments({ db: h.db.db, publicClient: h.publicClient, cache: h.cache });
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
  });

  test("behavior: the payee settles just before validBefore while the reconciler reads the chain → never booked expired", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500 });
    const sessionId = await h.newSession(BUDGET);
    const before = await h.usdcBalance(h.agent.address);
    const first = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
      authorizationTtlSeconds: 30,
    });
    const unknown = outcomeOf(first);
    if (unknown.status !== "unknown") throw new Error(`expected unknown, got ${unknown.status}`);
    const { nonce, validBefore } = unknown;

    // Right after the reconciler's first chain read answers (a stalled RPC, or two nodes of one
    // load balancer), the payee settles in the last block before validBefore and the chain moves
    // past it. Whatever the reconciler read first, it must not call the payment expired.
    let moved = false;
    const moveChainAfterFirstRead = async () => {
      if (moved) return;
      moved = true;
      const settle = await payee.settleNonce(nonce);
      expect(settle.success).toBe(true);
      await h.publicClient.request({
        method: "evm_setNextBlockTimestamp" as never,
        params: [Number(validBefore)] as never,
      });
      await h.mine();
    };
    const racing = new Proxy(h.publicClient, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== "getBlock" && property !== "readContract") return value;
        return async (...args: unknown[]) => {
          const answer = await (value as (...a: unknown[]) => Promise<unknown>)(...args);
          await moveChainAfterFirstRead();
          return answer;
        };
      },
    });
    const firstPass = await resolveUnknownPayments({
      db: h.db.db,
      publicClient: racing,
      cache: h.cache,
    });
    expect(moved).toBe(true);
    expect(firstPass.released).not.toContain(unknown.paymentId);
    expect((await findPaymentByNonce(h.db.db, nonce))?.status).not.toBe("expired");

    // The next pass sees the settlement: booked, and the books match the chain.
    await resolveUnknownPayments({ db: h.db.db, publicClient: h.publicClient, cache: h.cache });
    expect((await findPaymentByNonce(h.db.db, nonce))?.status).toBe("settled");
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    await expectBooksMatchChain(sessionId, before);
  });
});
