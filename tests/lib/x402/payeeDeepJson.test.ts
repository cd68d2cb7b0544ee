import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from "@x402/core/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PaymentOutcome } from "../../../lib/x402/executePayment.js";
import type { HostilePayee } from "../../helpers/hostilePayee.js";
import {
  type HostileHarness,
  type StepResult,
  startHarnessPayee,
  startHostileHarness,
} from "./hostileHarness.js";

/**
 * A hostile payee's JSON nested 10,000 levels deep: legal JSON, which JSON.parse builds, but which
 * JSON.stringify (every jsonb write) cannot serialise and Postgres refuses deeper still. Its 402
 * terms, signed offers and settlement receipt are refused before they are parsed, exactly as a
 * document that is not JSON at all: nothing deep is validated, signed for or stored.
 */
let h: HostileHarness;
let payee: HostilePayee;
const PRICE = 1_000_000n; // 1 USDC
const BUDGET = 1_500_000n; // room for one such payment
const DEPTH = 10_000;
const deep = "[".repeat(DEPTH) + "]".repeat(DEPTH);

beforeAll(async () => {
  h = await startHostileHarness();
  payee = await startHarnessPayee(h, { amount: PRICE });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

/**
 * `value` as base64 JSON with `deep` written where `"__DEEP__"` stands (JSON.stringify itself
 * cannot write such a document).
 */
function headerWithDeep(value: unknown): string {
  const text = JSON.stringify(value).replace('"__DEEP__"', deep);
  return Buffer.from(text).toString("base64");
}

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

/** A response like `response` with `name` set to `value` (and its body kept). */
async function withHeader(response: Response, name: string, value: string): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(await response.text(), { status: response.status, headers });
}

function outcomeOf(result: StepResult): PaymentOutcome {
  if (result.kind === "thrown") throw result.error;
  return result.outcome;
}

async function rowsOf(runId: string) {
  return h.db.db.selectFrom("payments").selectAll().where("run_id", "=", runId).execute();
}

/** Pays the payee once through `fetch` in a new session and run. */
async function payThrough(through: typeof fetch) {
  const sessionId = await h.newSession(BUDGET);
  const runId = await h.newRun(sessionId);
  const signedBefore = payee.requests.filter((request) => request.paid).length;
  const walletBefore = await h.usdcBalance(h.agent.address);
  const result = await h.payStep(runId, {
    sessionId,
    url: payee.url,
    maxAmount: PRICE,
    fetch: through,
  });
  return {
    result,
    rows: await rowsOf(runId),
    signed: payee.requests.filter((request) => request.paid).length - signedBefore,
    walletOut: walletBefore - (await h.usdcBalance(h.agent.address)),
    ledger: await h.ledger(sessionId),
  };
}

describe("JSON nested 10,000 levels deep from a payee", () => {
  test("behavior: in the 402 terms (PAYMENT-REQUIRED offers, a v1 body) → refused unsigned, like terms that are not JSON", async () => {
    payee.setBehaviour({ kind: "honest" });
    const unpaid = {
      "PAYMENT-REQUIRED not JSON": async (response: Response) =>
        withHeader(response, "payment-required", Buffer.from("{not json").toString("base64")),
      "PAYMENT-REQUIRED with signed offers nested 10,000 deep": async (response: Response) => {
        const required = decodePaymentRequiredHeader(response.headers.get("payment-required")!);
        const header = headerWithDeep({
          ...required,
          extensions: { "offer-receipt": { info: { offers: ["__DEEP__"] } } },
        });
        return withHeader(response, "payment-required", header);
      },
      "a v1 402 body not JSON": async (response: Response) => {
        await response.body?.cancel();
        return new Response("{not json", { status: 402 });
      },
      "a v1 402 body whose terms nest 10,000 deep": async (response: Response) => {
        const required = decodePaymentRequiredHeader(response.headers.get("payment-required")!);
        await response.body?.cancel();
        const accepts = required.accepts.map((accept) => ({
          ...accept,
          maxAmountRequired: accept.amount,
          extra: { ...accept.extra, note: "__DEEP__" },
        }));
        const body = JSON.stringify({ x402Version: 1, accepts }).replace('"__DEEP__"', deep);
        return new Response(body, { status: 402, headers: { "content-type": "application/json" } });
      },
    };
    for (const [name, rewrite] of Object.entries(unpaid)) {
      const paid = await payThrough(rewriting({ unpaid: rewrite }));
      expect(paid.result.kind, name).toBe("thrown");
      const error = (paid.result as { error: Error }).error;
      expect(error.name, name).toBe("X402ProtocolError");
      expect(error.message, name).toMatch(/^Malformed x402 response: /);
      if (name.includes("10,000")) expect(error.message, name).toContain("deeper than 64 levels");
      // Nothing signed, no payment row, the reservation went back, no money moved.
      expect(paid.signed, name).toBe(0);
      expect(paid.rows, name).toEqual([]);
      expect(paid.ledger, name).toEqual({ spent: 0n, reserved: 0n });
      expect(paid.walletOut, name).toBe(0n);
    }
  });

  test("behavior: in the settlement receipt (PAYMENT-RESPONSE) → a failed payee whose settlement the chain proves, like a receipt that is not JSON", async () => {
    payee.setBehaviour({ kind: "honest" });
    const paidAnswers = {
      "PAYMENT-RESPONSE not JSON": async (response: Response) =>
        withHeader(response, "payment-response", Buffer.from("{not json").toString("base64")),
      "PAYMENT-RESPONSE with a receipt nested 10,000 deep": async (response: Response) => {
        const settled = decodePaymentResponseHeader(response.headers.get("payment-response")!);
        const header = headerWithDeep({
          ...settled,
          extensions: { "offer-receipt": { info: { receipt: "__DEEP__" } } },
        });
        return withHeader(response, "payment-response", header);
      },
    };
    const outcomes: Record<string, unknown> = {};
    for (const [name, rewrite] of Object.entries(paidAnswers)) {
      const paid = await payThrough(rewriting({ paid: rewrite }));
      const outcome = outcomeOf(paid.result);
      // The payee settled before its answer broke: booked once, flagged, nothing deep stored.
      expect(outcome, name).toMatchObject({ status: "settled", payeeFailed: true });
      expect(paid.rows, name).toHaveLength(1);
      const [row] = paid.rows;
      expect(row, name).toMatchObject({
        status: "settled",
        payee_failed: true,
        offer: null,
        receipt: null,
      });
      expect(JSON.stringify(row).length, name).toBeLessThan(8 * 1024);
      expect(paid.walletOut, name).toBe(PRICE);
      expect(paid.ledger, name).toEqual({ spent: PRICE, reserved: 0n });
      outcomes[name] = {
        status: outcome.status,
        via: outcome.status === "settled" ? outcome.via : undefined,
        payeeFailed: outcome.payeeFailed,
        movedMoney: outcome.status === "settled" ? outcome.movedMoney : undefined,
        amount: outcome.status === "settled" ? outcome.amount : undefined,
      };
    }
    const [notJson, tooDeep] = Object.values(outcomes);
    expect(tooDeep).toEqual(notJson);
  });
});
