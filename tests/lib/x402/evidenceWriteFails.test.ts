import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

/**
 * A settled payment whose evidence (the payee's offer and receipt) cannot be stored is still booked:
 * before, the step threw after the payee settled, the reservation went back, the row stayed
 * pending and the money that left the wallet was not in the books (a payee's 10,000-deep receipt
 * did this until its JSON was bounded; any other failure of that write would too).
 */
const failEvidence = { next: false };
vi.mock("../../../lib/x402/recordPaymentEvidence.js", async (importOriginal) => {
  const original =
    await importOriginal<typeof import("../../../lib/x402/recordPaymentEvidence.js")>();
  return {
    ...original,
    recordPaymentEvidence: async (...args: Parameters<typeof original.recordPaymentEvidence>) => {
      if (failEvidence.next) {
        failEvidence.next = false;
        throw new RangeError("Maximum call stack size exceeded");
      }
      return original.recordPaymentEvidence(...args);
    },
  };
});

const { startHarnessPayee, startHostileHarness } = await import("./hostileHarness.js");

let h: Awaited<ReturnType<typeof startHostileHarness>>;
let payee: Awaited<ReturnType<typeof startHarnessPayee>>;
const PRICE = 1_000_000n;

beforeAll(async () => {
  h = await startHostileHarness();
  payee = await startHarnessPayee(h, { amount: PRICE });
}, 120_000);
afterAll(async () => {
  await payee?.stop();
  await h?.stop();
});

describe("the payee's evidence cannot be stored", () => {
  test("behavior: the settled payment is booked all the same: spent, the row settled, the wallet and the books agree", async () => {
    payee.setBehaviour({ kind: "honest" });
    const sessionId = await h.newSession(1_500_000n);
    const runId = await h.newRun(sessionId);
    const walletBefore = await h.usdcBalance(h.agent.address);
    failEvidence.next = true;
    const result = await h.payStep(runId, { sessionId, url: payee.url, maxAmount: PRICE });
    expect(failEvidence.next).toBe(false);
    if (result.kind === "thrown") throw result.error;
    expect(result.outcome).toMatchObject({ status: "settled", amount: PRICE.toString() });
    const rows = await h.db.db
      .selectFrom("payments")
      .select(["status", "amount"])
      .where("run_id", "=", runId)
      .execute();
    expect(rows).toEqual([{ status: "settled", amount: PRICE.toString() }]);
    expect(walletBefore - (await h.usdcBalance(h.agent.address))).toBe(PRICE);
    expect(await h.ledger(sessionId)).toEqual({ spent: PRICE, reserved: 0n });
  });
});
