import {
  type EIP712SignedOffer,
  type EIP712SignedReceipt,
  verifyOfferSignatureEIP712,
  verifyReceiptSignatureEIP712,
} from "@x402/extensions/offer-receipt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executePayment } from "../../../lib/x402/executePayment.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startX402Fixture, type X402Fixture } from "./x402Fixture.js";

let fx: X402Fixture;
let db: TestDb;
const SESSION = "ses_evidence_test";

beforeAll(async () => {
  [fx, db] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
  await db.db
    .insertInto("runs")
    .values({ id: "run_evidence", session_id: SESSION, command: "pay", status: "running" })
    .execute();
});
afterAll(async () => {
  await Promise.all([fx?.stop(), db?.dispose()]);
});

describe("recordPaymentEvidence", () => {
  test("behavior: an HTTP x402 payment keeps the server's signed offer and receipt with its row", async () => {
    const url = `${fx.baseUrl}/api/demo/market-data`;
    const outcome = await executePayment({
      db: db.db,
      runId: "run_evidence",
      stepId: "step_1",
      sessionId: SESSION,
      url,
      maxAmount: 1_000_000n,
      allowedAssets: fx.allowedAssets,
      account: fx.agent,
      publicClient: fx.publicClient,
    });
    const row = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", outcome.paymentId)
      .executeTakeFirstOrThrow();
    const merchant = fx.devnet.accounts.merchant.address.toLowerCase();

    const [offer] = row.offer as EIP712SignedOffer[];
    const offered = await verifyOfferSignatureEIP712(offer!);
    expect(offered.signer.toLowerCase()).toBe(merchant);
    expect(offered.payload).toMatchObject({
      resourceUrl: url,
      amount: "100000",
      payTo: row.pay_to,
    });

    const receipt = await verifyReceiptSignatureEIP712(row.receipt as EIP712SignedReceipt);
    expect(receipt.signer.toLowerCase()).toBe(merchant);
    // The HTTP route's receipt leaves the transaction out (the extension's private default).
    expect(receipt.payload).toMatchObject({ resourceUrl: url, payer: fx.agent.address });
    expect(outcome.status).toBe("settled");
    expect(outcome.status === "settled" && outcome.transaction).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
