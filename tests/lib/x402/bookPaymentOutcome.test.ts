import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import type { Payment } from "../../../lib/db/database.js";
import { PolicyDocument } from "../../../lib/policy/schemas.js";
import { reserveWindows } from "../../../lib/policy/windows/reserveWindows.js";
import { windowSpecs } from "../../../lib/policy/windows/windowSpecs.js";
import { bookPaymentOutcome } from "../../../lib/x402/bookPaymentOutcome.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * A late payment outcome is booked against the key's policy windows too (policy_reservations,
 * same `${runId}:${stepIndex}` id as the budget reservation), on real Postgres with the row-lock
 * backend: settled → the window counts the real amount; cancelled or expired → given back.
 */
let testDb: TestDb;
let cache: Cache;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  cache = createMemoryCache();
}, 60_000);

afterAll(async () => {
  await testDb?.dispose();
});

const windows = windowSpecs(
  "devnet",
  PolicyDocument.parse({
    allowedActions: ["pay"],
    windows: [{ period: "day", amount: "5", token: "USDC" }],
  }),
);

/** A step's window reservation of 1 USDC, as the gate would make before paying. */
async function reserve(subject: string, runId: string): Promise<void> {
  const reserved = await reserveWindows({
    db: testDb.db,
    cache,
    subject,
    reservationId: `${runId}:1`,
    runId,
    token: "USDC",
    amount: 1_000_000n,
    usdMicros: 1_000_000n,
    charges: { USDC: 1_000_000n, USD: 1_000_000n },
    windows,
  });
  expect(reserved.reserved).toBe(true);
}

/** A payment row's shape as the reconciler hands it over (no session: only the windows book). */
function payment(runId: string, status: Payment["status"], amount: string): Payment {
  const nonce = `0x${randomUUID().replaceAll("-", "").padEnd(64, "0")}`;
  return {
    id: `pay_${nonce.slice(2, 26)}`,
    run_id: runId,
    step_id: `${runId}:1`,
    session_id: null,
    service_id: null,
    resource_url: "https://example.com/r",
    amount,
    asset: "0x8ce361602B935680E8DeC218b820ff5056BeB7af",
    network: "eip155:31337",
    pay_to: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    payer: null,
    nonce,
    tx_hash: null,
    status,
    error: null,
    created_at: new Date(),
    updated_at: new Date(),
    settled_at: null,
    valid_after: null,
    valid_before: null,
    requirement: null,
    search_from_block: null,
    response: null,
    sent_at: new Date(),
    payee_failed: false,
    unknown_since: new Date(),
    booked_at: null,
    cancel_tx_hash: null,
    reservation_run_id: runId,
    reservation_step_index: 1,
  } as Payment;
}

async function windowRow(runId: string) {
  return testDb.db
    .selectFrom("policy_reservations")
    .select(["status", "amount"])
    .where("id", "=", `${runId}:1`)
    .executeTakeFirstOrThrow();
}

describe("bookPaymentOutcome and the policy windows", () => {
  test("behavior: a late settlement settles the window reservation at the real amount", async () => {
    const runId = `run_${randomUUID().slice(0, 8)}`;
    await reserve(`key_${runId}`, runId);
    await bookPaymentOutcome({
      db: testDb.db,
      cache,
      payment: payment(runId, "settled", "400000"),
    });
    expect(await windowRow(runId)).toMatchObject({ status: "settled" });
    expect(String((await windowRow(runId)).amount)).toBe("400000");
    // Booking again changes nothing.
    await bookPaymentOutcome({
      db: testDb.db,
      cache,
      payment: payment(runId, "settled", "400000"),
    });
    expect(String((await windowRow(runId)).amount)).toBe("400000");
  });

  test("behavior: a cancelled or expired payment gives the window reservation back", async () => {
    for (const status of ["cancelled", "expired"] as const) {
      const runId = `run_${randomUUID().slice(0, 8)}`;
      await reserve(`key_${runId}`, runId);
      await bookPaymentOutcome({
        db: testDb.db,
        cache,
        payment: payment(runId, status, "1000000"),
      });
      expect(await windowRow(runId)).toMatchObject({ status: "released" });
    }
  });

  test("behavior: a step without a window reservation books nothing there", async () => {
    const runId = `run_${randomUUID().slice(0, 8)}`;
    const booked = await bookPaymentOutcome({
      db: testDb.db,
      cache,
      payment: payment(runId, "cancelled", "1000000"),
    });
    expect(booked.budget).toBe("released");
    const rows = await testDb.db
      .selectFrom("policy_reservations")
      .select("id")
      .where("id", "=", `${runId}:1`)
      .execute();
    expect(rows).toEqual([]);
  });

  test("error: a window reservation released earlier is not silently re-counted (logged), the booking still completes", async () => {
    const runId = `run_${randomUUID().slice(0, 8)}`;
    await reserve(`key_${runId}`, runId);
    await bookPaymentOutcome({
      db: testDb.db,
      cache,
      payment: payment(runId, "expired", "1000000"),
    });
    const booked = await bookPaymentOutcome({
      db: testDb.db,
      cache,
      payment: payment(runId, "settled", "1000000"),
    });
    // Not thrown: the payment's own booking (claim, reputation) still happens.
    expect(booked.claimed).toBe(false);
    expect(await windowRow(runId)).toMatchObject({ status: "released" });
  });
});
