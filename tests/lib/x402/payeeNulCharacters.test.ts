import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from "@x402/core/http";
import type { PaymentRequired } from "@x402/core/types";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PaymentVoidedError } from "../../../lib/x402/errors.js";
import type { PaymentOutcome } from "../../../lib/x402/executePayment.js";
import { findPaymentByNonce, storedRequirement } from "../../../lib/x402/paymentRecords.js";
import { readAuthorizationState } from "../../../lib/x402/readAuthorizationState.js";
import type { HostilePayee } from "../../helpers/hostilePayee.js";
import {
  type HostileHarness,
  type StepResult,
  startHarnessPayee,
  startHostileHarness,
} from "./hostileHarness.js";

/**
 * A hostile payee's words with NUL (U+0000, legal in JSON as "\u0000" and as a raw byte in a
 * body) or an unpaired surrogate ("\ud800", legal JSON too): Postgres refuses both in jsonb and
 * NUL in text. Everything the payee says is stored with U+FFFD in their place, so recording its
 * failure or its settlement never fails.
 */
let h: HostileHarness;
let payee: HostilePayee;
const PRICE = 1_000_000n; // 1 USDC
const BUDGET = 1_500_000n; // room for one such payment

beforeAll(async () => {
  h = await startHostileHarness();
  payee = await startHarnessPayee(h, { amount: PRICE });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/** The payee's answers, rewritten: `unpaid` for the 402 before signing, `paid` after. */
function rewriting(rewrite: {
  unpaid?: (response: Response) => Promise<Response>;
  paid?: (response: Response) => Promise<Response>;
}): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const paid = new Headers(init?.headers).has("payment-signature");
    const change = paid ? rewrite.paid : rewrite.unpaid;
    return change ? change(response) : response;
  };
}

async function onlyRow(runId: string) {
  return h.db.db
    .selectFrom("payments")
    .selectAll()
    .where("run_id", "=", runId)
    .executeTakeFirstOrThrow();
}

function outcomeOf(result: StepResult): PaymentOutcome {
  if (result.kind === "thrown") throw result.error;
  return result.outcome;
}

async function chainState(nonce: string) {
  const state = await readAuthorizationState(h.publicClient, {
    asset: h.usdc,
    payer: h.agent.address,
    nonce: nonce as Hex,
    fromBlock: h.startBlock,
  });
  return state.state;
}

const refusals = {
  "402 again, NUL in its error": async (response: Response) => {
    await response.body?.cancel();
    return new Response(JSON.stringify({ error: "refused\u0000 by\u0000payee" }), {
      status: 402,
      headers: { "content-type": "application/json" },
    });
  },
  "a failed PAYMENT-RESPONSE, NUL and a lone surrogate in its errorReason": async (
    response: Response,
  ) => {
    await response.body?.cancel();
    const settlement = encodePaymentResponseHeader({
      success: false,
      errorReason: "refused\u0000 by\uD800payee",
      transaction: "",
      network: `eip155:${h.devnet.chainId}`,
    });
    return new Response("{}", {
      status: 200,
      headers: { "content-type": "application/json", "PAYMENT-RESPONSE": settlement },
    });
  },
};

describe("NUL and unpaired surrogates in what a payee says", () => {
  for (const [name, refuse] of Object.entries(refusals)) {
    test(`behavior: refusing with ${name} → flagged failed, cancelled on chain, nothing paid`, async () => {
      payee.setBehaviour({ kind: "reject-again" }); // it keeps the signature
      const sessionId = await h.newSession(BUDGET);
      const runId = await h.newRun(sessionId);
      const before = await h.usdcBalance(h.agent.address);
      const result = await h.payStep(runId, {
        sessionId,
        url: payee.url,
        maxAmount: PRICE,
        fetch: rewriting({ paid: refuse }),
      });

      expect(result.kind === "thrown" && result.error).toBeInstanceOf(PaymentVoidedError);
      const row = await onlyRow(runId);
      expect(row).toMatchObject({ status: "cancelled", payee_failed: true });
      expect(row.cancel_tx_hash).not.toBeNull();
      expect(row.error).toContain("refused\uFFFD by\uFFFDpayee");
      expect(await chainState(row.nonce)).toBe("cancelled");
      // The signature it kept is worthless, and the books show nothing spent.
      expect((await payee.settleKept()).every((settled) => !settled.success)).toBe(true);
      expect(await h.usdcBalance(h.agent.address)).toBe(before);
      expect(await h.ledger(sessionId)).toEqual({ spent: 0n, reserved: 0n });
    });
  }

  test("behavior: refusing with a NUL when no cancel is possible → unknown and flagged, never a database error", async () => {
    payee.setBehaviour({ kind: "reject-again" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const result = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      chain: null,
      fetch: rewriting({ paid: refusals["402 again, NUL in its error"] }),
    });

    const outcome = outcomeOf(result);
    expect(outcome).toMatchObject({ status: "unknown", payeeFailed: true });
    const row = await onlyRow(runId);
    expect(row).toMatchObject({ status: "unknown", payee_failed: true });
    expect(row.error).toContain("refused\uFFFD by\uFFFDpayee");
    expect(outcome.status === "unknown" && outcome.reason).toBe(row.error);
    // Its reservation stays until the chain decides; the kept signature is settled here to end it.
    expect((await h.ledger(sessionId)).reserved).toBe(PRICE);
    await payee.settleKept();
  });

  test("behavior: paid content with a NUL → settled, and the step returns the content with U+FFFD", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const body = '{"data":"bought\u0000here"}'; // a raw NUL byte in the body
    const result = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      fetch: rewriting({
        paid: async (response) => {
          await response.arrayBuffer();
          return new Response(body, { status: 200, headers: response.headers });
        },
      }),
    });

    const outcome = outcomeOf(result);
    expect(outcome).toMatchObject({ status: "settled", via: "paid", movedMoney: true });
    const content = { status: 200, body: '{"data":"bought\uFFFDhere"}', truncated: false };
    expect(outcome.content).toMatchObject(content);
    const row = await onlyRow(runId);
    expect(row.status).toBe("settled");
    expect(row.response).toMatchObject(content);
    expect(before - (await h.usdcBalance(h.agent.address))).toBe(PRICE);
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
    // A retry of the step answers from the row with the same content.
    const again = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(outcomeOf(again)).toMatchObject({ status: "settled", via: "already-settled", content });
  });

  test("behavior: free content with a NUL is returned with U+FFFD (it goes into the run's result)", async () => {
    payee.setBehaviour({ kind: "free" });
    const sessionId = await h.newSession(BUDGET);
    const result = await h.payStep(await h.newRun(sessionId), {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      fetch: rewriting({
        unpaid: async (response) => {
          await response.arrayBuffer();
          return new Response("free\u0000", { status: 200, headers: response.headers });
        },
      }),
    });
    expect(outcomeOf(result)).toMatchObject({
      status: "settled",
      via: "not-required",
      content: { body: "free\uFFFD" },
    });
  });

  test("behavior: 402 terms, a signed offer and a receipt holding NUL and lone surrogates → paid and recorded", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(BUDGET);
    const runId = await h.newRun(sessionId);
    const before = await h.usdcBalance(h.agent.address);
    const offer = { format: "jws", signature: "offer\u0000sig", acceptIndex: 0 };
    const receipt = { format: "jws", signature: "receipt\uDC00sig" };
    const result = await h.payStep(runId, {
      sessionId,
      url: payee.url,
      maxAmount: PRICE,
      fetch: rewriting({
        unpaid: async (response) => {
          const required = decodePaymentRequiredHeader(response.headers.get("payment-required")!);
          const accepts = required.accepts.map((accept) => ({
            ...accept,
            extra: { ...accept.extra, "note\u0000": "terms\u0000with\uD800nul" },
          }));
          const changed: PaymentRequired = {
            ...required,
            accepts,
            extensions: { "offer-receipt": { info: { offers: [offer] } } },
          };
          const headers = new Headers(response.headers);
          headers.set("payment-required", encodePaymentRequiredHeader(changed));
          return new Response(await response.text(), { status: 402, headers });
        },
        paid: async (response) => {
          const settled = decodePaymentResponseHeader(response.headers.get("payment-response")!);
          const headers = new Headers(response.headers);
          headers.set(
            "payment-response",
            encodePaymentResponseHeader({
              ...settled,
              extensions: { "offer-receipt": { info: { receipt } } },
            }),
          );
          return new Response(await response.text(), { status: response.status, headers });
        },
      }),
    });

    expect(outcomeOf(result)).toMatchObject({ status: "settled", via: "paid" });
    const row = await findPaymentByNonce(h.db.db, (await onlyRow(runId)).nonce as Hex);
    expect(row?.status).toBe("settled");
    expect(storedRequirement(row!)?.raw.extra).toMatchObject({
      "note\uFFFD": "terms\uFFFDwith\uFFFDnul",
    });
    expect(row?.offer).toEqual([{ ...offer, signature: "offer\uFFFDsig" }]);
    expect(row?.receipt).toEqual({ ...receipt, signature: "receipt\uFFFDsig" });
    expect(before - (await h.usdcBalance(h.agent.address))).toBe(PRICE);
  });
});
