import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createKey } from "../../../../lib/auth/createKey.js";
import {
  BudgetReservationError,
  holdReservationForSend,
  readLedgerVersion,
  releaseBudget,
} from "../../../../lib/budget/index.js";
import type { Run } from "../../../../lib/db/database.js";
import { gateAction } from "../../../../lib/policy/gateAction.js";
import { releaseUnsentSpend } from "../../../../lib/runs/execute/releaseUnsentSpend.js";
import { reserveSpend } from "../../../../lib/runs/execute/spend.js";
import { markSentWithinReservation } from "../../../../lib/x402/markSentWithinReservation.js";
import { findPaymentByNonce, markPaymentFailed } from "../../../../lib/x402/paymentRecords.js";
import {
  closeSharedNeonBridge,
  createTestDb,
  databaseDrivers,
  type TestDb,
} from "../../../helpers/db.js";

/**
 * A step's reservation is what bounds its money: a retry spends no more than the first attempt
 * reserved, nothing is sent against a reservation given back, and a reservation is not given back
 * under a send that began after the evidence for the release was read.
 */
const drivers = (await databaseDrivers()).filter((d) => d.available).map((d) => d.driver);

describe.each(drivers)("on %s", (driver) => {
  let testDb: TestDb;

  beforeAll(async () => {
    testDb = await createTestDb(driver);
  });

  afterAll(async () => {
    await testDb?.dispose();
    if (driver === "neon") await closeSharedNeonBridge();
  });

  async function newRun(): Promise<Run> {
    const sessionId = `ses_${randomUUID().slice(0, 12)}`;
    const runId = `run_${randomUUID().slice(0, 12)}`;
    await testDb.db
      .insertInto("agent_sessions")
      .values({ id: sessionId, api_key_id: null, budget_amount: 150_000n, budget_token: "USDC" })
      .execute();
    return testDb.db
      .insertInto("runs")
      .values({ id: runId, session_id: sessionId, command: "test", status: "running" })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  describe("reserveSpend", () => {
    test("behavior: a retry whose spend grew since (a raised price) may spend only what the first attempt reserved", async () => {
      const run = await newRun();
      const first = await reserveSpend(testDb.db, {
        run,
        index: 0,
        spend: { token: "USDC", amount: 100_000n },
      });
      expect(first.amount).toBe(100_000n);
      // 0.20 would not fit the 0.15 budget as a fresh reservation; the replay must not let it through.
      const retry = await reserveSpend(testDb.db, {
        run,
        index: 0,
        spend: { token: "USDC", amount: 200_000n },
      });
      expect(retry).toMatchObject({ token: "USDC", amount: 100_000n });
      // A smaller spend on retry keeps the smaller figure.
      const smaller = await reserveSpend(testDb.db, {
        run,
        index: 0,
        spend: { token: "USDC", amount: 50_000n },
      });
      expect(smaller.amount).toBe(50_000n);
    });

    test("behavior: a step that died after its gate and asks more on return spends only what the windows counted", async () => {
      const run = await newRun();
      // The gate's window reservation for the step (id `<run>:<index>`): 20,000 at its first
      // attempt, which died before reserving the budget. Its replay is allowed without looking at
      // the amount again, so the budget reservation must not take more.
      const key = await createKey(testDb.db, { name: "agent", role: "agent" });
      const gate = await gateAction({
        db: testDb.db,
        price: async (_token, amount) => amount,
        keyId: key.id,
        reservationId: `${run.id}:0`,
        runId: run.id,
        action: {
          type: "transfer",
          network: "devnet",
          spend: { token: "USDC", amount: 20_000n },
          counterparty: { address: "0x1111111111111111111111111111111111111111" },
        },
      });
      expect(gate.outcome).toBe("allow");
      const spend = await reserveSpend(testDb.db, {
        run,
        index: 0,
        spend: { token: "USDC", amount: 80_000n }, // the whole balance read again: it grew
      });
      expect(spend).toMatchObject({ token: "USDC", amount: 20_000n });
    });

    test("behavior: a reservation given back, or held in another token, refuses the step", async () => {
      const run = await newRun();
      await reserveSpend(testDb.db, { run, index: 0, spend: { token: "USDC", amount: 100_000n } });
      await expect(
        reserveSpend(testDb.db, { run, index: 0, spend: { token: "CRO", amount: 1n } }),
      ).rejects.toBeInstanceOf(BudgetReservationError);
      await releaseBudget({ db: testDb.db, runId: run.id, stepIndex: 0 });
      await expect(
        reserveSpend(testDb.db, { run, index: 0, spend: { token: "USDC", amount: 100_000n } }),
      ).rejects.toThrow(/is released: nothing may be sent/);
      // A resumed step goes on to collect its outcome (a voided payment says so); the send fences
      // refuse anything new it would send.
      const resumed = await reserveSpend(testDb.db, {
        run,
        index: 0,
        spend: { token: "USDC", amount: 100_000n },
        resume: true,
      });
      expect(resumed.amount).toBe(100_000n);
    });
  });

  describe("the send fence", () => {
    test("behavior: a release decided on evidence read before a fenced send leaves the reservation held", async () => {
      const run = await newRun();
      await reserveSpend(testDb.db, { run, index: 0, spend: { token: "USDC", amount: 100_000n } });
      const key = { runId: run.id, stepIndex: 0 };
      const before = await readLedgerVersion(testDb.db, key);
      expect(before?.status).toBe("reserved");
      // A step fences its send (and writes its payment row in the same transaction) right now.
      await testDb.db.transaction().execute((trx) => holdReservationForSend(trx, `${run.id}:0`));
      const after = await releaseBudget({ db: testDb.db, ...key, unchangedSince: before!.version });
      expect(after?.status).toBe("reserved");
      // Read afresh, the same release goes through.
      const fresh = await readLedgerVersion(testDb.db, key);
      const released = await releaseBudget({
        db: testDb.db,
        ...key,
        unchangedSince: fresh!.version,
      });
      expect(released?.status).toBe("released");
    });

    test("behavior: a send fenced after the release is refused, and nothing it would write is kept", async () => {
      const run = await newRun();
      await reserveSpend(testDb.db, { run, index: 0, spend: { token: "USDC", amount: 100_000n } });
      expect((await releaseUnsentSpend(testDb.db, { runId: run.id, index: 0 })).state).toBe(
        "nothing",
      );
      await expect(
        testDb.db.transaction().execute(async (trx) => {
          await holdReservationForSend(trx, `${run.id}:0`);
          await trx
            .insertInto("chain_transactions")
            .values({
              hash: `0x${"ab".repeat(32)}`,
              run_id: run.id,
              step_id: `${run.id}:0`,
              chain_id: 31337,
              from_address: `0x${"11".repeat(20)}`,
              to_address: `0x${"22".repeat(20)}`,
              nonce: 0,
              kind: "transfer",
              status: "submitted",
            })
            .execute();
        }),
      ).rejects.toThrow(/is released: nothing may be sent/);
      const rows = await testDb.db
        .selectFrom("chain_transactions")
        .select("hash")
        .where("step_id", "=", `${run.id}:0`)
        .execute();
      expect(rows).toEqual([]);
    });

    test("behavior: a second delivery that failed the row and gave the reservation back stops the first one's signature from leaving", async () => {
      const run = await newRun();
      await reserveSpend(testDb.db, { run, index: 0, spend: { token: "USDC", amount: 100_000n } });
      const nonce = `0x${randomUUID().replaceAll("-", "").padEnd(64, "0")}` as const;
      const reservation = { runId: run.id, stepIndex: 0 };
      // Delivery B passes the fence and writes its row, then signs (slowly).
      await testDb.db.transaction().execute(async (trx) => {
        await holdReservationForSend(trx, `${run.id}:0`);
        await trx
          .insertInto("payments")
          .values({
            id: `pay_${nonce.slice(2, 26)}`,
            run_id: run.id,
            step_id: `${run.id}:0`,
            session_id: run.session_id,
            resource_url: "https://md.example/quote",
            amount: "100000",
            asset: `0x${"11".repeat(20)}`,
            network: "eip155:31337",
            pay_to: `0x${"22".repeat(20)}`,
            payer: `0x${"33".repeat(20)}`,
            nonce,
            status: "pending",
            valid_after: 0n,
            valid_before: BigInt(Math.floor(Date.now() / 1000) + 600),
          })
          .execute();
      });
      // Delivery A fails (a refused payee), marks the unsent row failed, and releases: nothing sent.
      await markPaymentFailed(testDb.db, nonce, new Error("payee refused"));
      expect((await releaseUnsentSpend(testDb.db, { runId: run.id, index: 0 })).state).toBe(
        "nothing",
      );
      // B's signature is refused at the door, and its row says it never left.
      await expect(markSentWithinReservation(testDb.db, { nonce, reservation })).rejects.toThrow(
        /is released: nothing may be sent/,
      );
      const row = await findPaymentByNonce(testDb.db, nonce);
      expect(row).toMatchObject({ status: "failed", sent_at: null });
    });

    test("behavior: with no reservation for the id (a helper transaction) the fence lets the send through", async () => {
      const run = await newRun();
      await testDb.db
        .transaction()
        .execute((trx) => holdReservationForSend(trx, `${run.id}:0:approve`));
    });
  });
});
