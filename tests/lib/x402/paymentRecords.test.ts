import { randomBytes } from "node:crypto";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  insertPendingPayment,
  markPaymentFailed,
  markPaymentSent,
  paymentIdFor,
} from "../../../lib/x402/paymentRecords.js";
import type { PaymentRequirement } from "../../../lib/x402/requirements.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/** The payment row's states, written before signing: a sent payment is never "failed". */
let db: TestDb;
const SESSION = "ses_records_test";
const RUN = "run_records_test";

beforeAll(async () => {
  db = await createTestDb("pg");
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
  await db.db
    .insertInto("runs")
    .values({ id: RUN, session_id: SESSION, command: "pay", status: "running" })
    .execute();
});
afterAll(async () => {
  await db?.dispose();
});

const requirement: PaymentRequirement = {
  x402Version: 2,
  dialect: "v2",
  scheme: "exact",
  network: "eip155:31337",
  chainId: 31337,
  amount: "100000",
  asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
  payTo: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as Address,
  maxTimeoutSeconds: 60,
  extra: { name: "Paygent USD", version: "2" },
  resource: "https://api.example.com/data",
  raw: {},
};

async function pendingRow(): Promise<Hex> {
  const nonce = `0x${randomBytes(32).toString("hex")}` as Hex;
  await insertPendingPayment(db.db, {
    paymentId: paymentIdFor(nonce),
    nonce,
    runId: RUN,
    stepId: `${RUN}:0`,
    sessionId: SESSION,
    serviceId: null,
    url: "https://api.example.com/data",
    payer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    requirement,
    validBefore: BigInt(Math.floor(Date.now() / 1000) + 60),
    searchFromBlock: 1n,
    reservation: undefined,
  });
  return nonce;
}

describe("payment records", () => {
  test("behavior: one delivery fails the row unsent while another signs it: the send puts it back to pending", async () => {
    const nonce = await pendingRow();
    // Delivery A gives up before sending; delivery B, which signed meanwhile, sends.
    await markPaymentFailed(db.db, nonce, new Error("A: the payee refused before payment"));
    const sent = await markPaymentSent(db.db, nonce);
    expect(sent.status).toBe("pending");
    expect(sent.sent_at).not.toBeNull();
    // And A's failure cannot land after the send either.
    await markPaymentFailed(db.db, nonce, new Error("A, late"));
    const row = await db.db
      .selectFrom("payments")
      .select(["status", "sent_at"])
      .where("nonce", "=", nonce)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
  });

  test("behavior: sending a settled or unknown row changes only sent_at", async () => {
    const nonce = await pendingRow();
    await db.db
      .updateTable("payments")
      .set({ status: "unknown" })
      .where("nonce", "=", nonce)
      .execute();
    expect((await markPaymentSent(db.db, nonce)).status).toBe("unknown");
  });
});
