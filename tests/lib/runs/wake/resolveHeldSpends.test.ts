import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { reserveBudget } from "../../../../lib/budget/index.js";
import { createMemoryCache } from "../../../../lib/cache/index.js";
import type { RunCost } from "../../../../lib/runs/cost.js";
import { resolveRunSpends } from "../../../../lib/runs/wake/resolveHeldSpends.js";
import { RENEWAL_ATTEMPT_STRIDE } from "../../../../lib/subscriptions/renewal/renewalReservationKey.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

/**
 * Reservations of a run that ended, resolved by what each step recorded before money could move:
 * settled when it landed, kept while it may still land, released only when nothing can.
 */
let testDb: TestDb;
const cache = createMemoryCache();
const agent = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  await testDb?.dispose();
});

const hex = (bytes: number) => `0x${randomBytes(bytes).toString("hex")}`;

async function endedRun(kind = "command"): Promise<{ runId: string; sessionId: string }> {
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  const runId = `run_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: null })
    .execute();
  await testDb.db
    .insertInto("runs")
    .values({ id: runId, session_id: sessionId, kind, command: "test", status: "failed" })
    .execute();
  return { runId, sessionId };
}

async function transaction(
  runId: string,
  index: number,
  status: "submitted" | "confirmed" | "reverted",
) {
  const mined = status !== "submitted";
  await testDb.db
    .insertInto("chain_transactions")
    .values({
      // Mined: 21,000 gas at 5 gwei.
      ...(mined ? { gas_used: "21000", effective_gas_price: "5000000000", block_number: "1" } : {}),
      hash: hex(32),
      run_id: runId,
      step_id: `${runId}:${index}`,
      chain_id: 31337,
      from_address: agent,
      to_address: agent,
      nonce: index,
      kind: "transfer",
      status,
    })
    .execute();
}

async function payment(
  runId: string,
  index: number,
  status: "pending" | "settled",
  amount: string,
  validForSeconds: number,
  stepId = `${runId}:${index}`,
) {
  const nonce = hex(32);
  await testDb.db
    .insertInto("payments")
    .values({
      id: `pay_${nonce.slice(2, 26)}`,
      run_id: runId,
      step_id: stepId,
      session_id: null,
      resource_url: "https://md.example/quote",
      amount,
      asset: agent,
      network: "eip155:31337",
      pay_to: agent,
      payer: agent,
      nonce,
      status,
      valid_after: 0n,
      valid_before: BigInt(Math.floor(Date.now() / 1000) + validForSeconds),
    })
    .execute();
}

describe("resolveRunSpends", () => {
  test("behavior: landed money is settled, what may still land is held, nothing sent is released", async () => {
    const { runId, sessionId } = await endedRun();
    for (let index = 0; index < 6; index++) {
      await reserveBudget({
        db: testDb.db,
        cache,
        sessionId,
        runId,
        stepIndex: index,
        token: "USDC",
        amount: 100_000n,
      });
    }
    await transaction(runId, 0, "submitted"); // broadcast, not mined yet: may still land
    await transaction(runId, 1, "confirmed"); // mined: the money moved
    await payment(runId, 2, "pending", "100000", 600); // signed, still valid: may be settled later
    await transaction(runId, 3, "reverted"); // mined and reverted: the transfer never happened
    // step 4 sent nothing at all
    await payment(runId, 5, "settled", "70000", 600); // paid less than reserved

    const result = await resolveRunSpends(testDb.db, runId);
    expect(result).toEqual({ settled: 2, released: 2, held: 2 });
    const ledger = await testDb.db
      .selectFrom("spend_ledger")
      .select(["id", "status", "amount"])
      .where("run_id", "=", runId)
      .orderBy("id")
      .execute();
    expect(
      ledger.map((row) => [row.id.slice(runId.length + 1), row.status, String(row.amount)]),
    ).toEqual([
      ["0", "reserved", "100000"],
      ["1", "settled", "100000"],
      ["2", "reserved", "100000"],
      ["3", "released", "100000"],
      ["4", "released", "100000"],
      ["5", "settled", "70000"],
    ]);

    // The mined transactions' gas is in the run's cost (the step ended before it could book it).
    const gasItems = async () =>
      (
        (
          await testDb.db
            .selectFrom("runs")
            .select("cost")
            .where("id", "=", runId)
            .executeTakeFirstOrThrow()
        ).cost as RunCost | null
      )?.items.filter((item) => item.kind === "gas") ?? [];
    expect((await gasItems()).map((item) => item.amount)).toEqual([
      (21_000n * 5_000_000_000n).toString(),
      (21_000n * 5_000_000_000n).toString(),
    ]);

    // A second pass changes nothing: held stays held until the chain answers.
    expect(await resolveRunSpends(testDb.db, runId)).toEqual({ settled: 0, released: 0, held: 2 });
    expect(await gasItems()).toHaveLength(2);
  });

  test("behavior: a renewal's later attempt is resolved by its renewal's payments (its reservation index carries the attempt)", async () => {
    const { runId, sessionId } = await endedRun("subscription");
    // Renewal 2: attempt 0 was voided and released; attempt 1 reserved under 2 + 1 × stride.
    const attemptOne = 2 + RENEWAL_ATTEMPT_STRIDE;
    await reserveBudget({
      db: testDb.db,
      cache,
      sessionId,
      runId,
      stepIndex: attemptOne,
      token: "USDC",
      amount: 100_000n,
    });
    await payment(runId, attemptOne, "settled", "100000", 600, `${runId}:renewal:2`);
    expect(await resolveRunSpends(testDb.db, runId)).toEqual({ settled: 1, released: 0, held: 0 });
    const ledger = await testDb.db
      .selectFrom("spend_ledger")
      .select(["id", "status"])
      .where("run_id", "=", runId)
      .execute();
    expect(ledger).toEqual([{ id: `${runId}:${attemptOne}`, status: "settled" }]);
  });
});
