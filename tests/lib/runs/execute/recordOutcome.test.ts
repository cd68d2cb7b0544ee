import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Action } from "../../../../lib/actions/schemas.js";
import type { ActionOutcome } from "../../../../lib/actions/types.js";
import type { Plan } from "../../../../lib/agent/plan.js";
import type { Run } from "../../../../lib/db/database.js";
import type { CostItem, RunCost } from "../../../../lib/runs/cost.js";
import { openGate } from "../../../../lib/runs/execute/openGate.js";
import { recordOutcome } from "../../../../lib/runs/execute/recordOutcome.js";
import { addRunCost, readRun } from "../../../../lib/runs/runState.js";
import {
  closeSharedNeonBridge,
  createTestDb,
  databaseDrivers,
  type TestDb,
} from "../../../helpers/db.js";
import { runEventTypes } from "../../../helpers/runs.js";

/**
 * recordOutcome decides from a read and writes in one statement guarded by what it read (no row
 * lock held across round trips). Whatever happens between the read and the write, the books come
 * out as if the writes had been serialised: a cost booked by another writer is kept, a second
 * attempt of the same step books nothing twice, a run cancelled first is not completed.
 */
const balance: Action = { type: "balance", tokens: ["USDC"] };
const gas = (amount: string): CostItem => ({ kind: "gas", unit: "CRO", amount });
const fee = (amount: string): CostItem => ({ kind: "x402", unit: "USDC", amount, usd: "0.10" });

function outcome(cost: CostItem[]): ActionOutcome {
  return { output: { balances: [{ symbol: "USDC", amount: "1000000" }] }, cost };
}

const drivers = await databaseDrivers();
afterAll(() => closeSharedNeonBridge());

describe.each(drivers)("recordOutcome on $driver", ({ driver, available }) => {
  let testDb: TestDb;
  // Postgres and Neon (through its local bridge) need the machine's PostgreSQL.
  const it = test.skipIf(!available);

  beforeAll(async () => {
    if (available) testDb = await createTestDb(driver);
  });

  afterAll(async () => {
    await testDb?.dispose();
  });

  /** A running run of two balance actions, both steps running, as the gate leaves them. */
  async function runningRun() {
    const sessionId = `ses_${randomUUID().slice(0, 12)}`;
    const runId = `run_${randomUUID().slice(0, 12)}`;
    const plan: Plan = {
      actions: [0, 1].map((index) => ({ index, action: balance, requiresApproval: false })),
      explanation: [],
    };
    const db = testDb.db;
    await db.insertInto("agent_sessions").values({ id: sessionId, api_key_id: null }).execute();
    await db
      .insertInto("runs")
      .values({
        id: runId,
        session_id: sessionId,
        kind: "command",
        command: "balance twice",
        status: "running",
        plan: JSON.stringify(plan),
      })
      .execute();
    await db
      .insertInto("run_steps")
      .values(
        [0, 1].map((index) => ({
          id: `${runId}:${index}`,
          run_id: runId,
          step_index: index,
          action: "balance",
          status: "running",
          input: JSON.stringify(balance),
        })),
      )
      .execute();
    return { runId, run: (await readRun(db, runId))! };
  }

  /** Records a balance action's outcome for step `index`, deciding from `run` as read. */
  function record(run: Run, index: number, cost: CostItem[]) {
    return recordOutcome(testDb.db, {
      run,
      index,
      action: balance,
      outcome: outcome(cost),
      startedAt: Date.now(),
    });
  }

  async function costOf(runId: string): Promise<RunCost | null> {
    return ((await readRun(testDb.db, runId))?.cost as RunCost | null) ?? null;
  }

  function eventTypes(runId: string): Promise<string[]> {
    return runEventTypes(testDb.db, runId);
  }

  it("a cost another writer books between the read and the write is kept", async () => {
    const { runId, run } = await runningRun();
    // Another writer (e.g. an x402 cancel's gas) books a cost after the gate read the run.
    await addRunCost(testDb.db, run, [gas("21000")]);
    const result = await record(run, 0, [fee("100000")]);
    expect(result).toEqual({ status: "completed" });
    const cost = await costOf(runId);
    expect(cost?.items).toEqual([gas("21000"), fee("100000")]);
    expect(cost?.totals).toEqual({ CRO: "21000", USDC: "100000" });
    const step = await testDb.db
      .selectFrom("run_steps")
      .select(["status", "output"])
      .where("id", "=", `${runId}:0`)
      .executeTakeFirstOrThrow();
    expect(step).toEqual({
      status: "completed",
      output: { balances: [{ symbol: "USDC", amount: "1000000" }] },
    });
    expect(await eventTypes(runId)).toEqual(["step.finished"]);
  });

  it("a second attempt of the same step books nothing twice", async () => {
    const { runId, run } = await runningRun();
    expect(await record(run, 0, [fee("100000")])).toEqual({ status: "completed" });
    // Same stale read as the first attempt: the guard sees the step completed and writes nothing.
    expect(await record(run, 0, [fee("100000")])).toEqual({ status: "completed" });
    expect((await costOf(runId))?.items).toEqual([fee("100000")]);
    expect(await eventTypes(runId)).toEqual(["step.finished"]);
  });

  it("concurrent attempts of the same step book its cost once", async () => {
    const { runId, run } = await runningRun();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => record(run, 0, [fee("100000")])),
    );
    expect(results).toEqual(Array(4).fill({ status: "completed" }));
    expect((await costOf(runId))?.items).toEqual([fee("100000")]);
    expect(await eventTypes(runId)).toEqual(["step.finished"]);
  });

  it("the last step completes the run with every step's result, once", async () => {
    const { runId, run } = await runningRun();
    for (const index of [0, 1]) {
      await record(run, index, [gas(`${index + 1}000`)]);
    }
    const finished = (await readRun(testDb.db, runId))!;
    expect(finished.status).toBe("completed");
    expect((finished.cost as RunCost).totals).toEqual({ CRO: "3000" });
    const result = finished.result as { actions: { index: number; type: string }[] };
    expect(result.actions.map((a) => [a.index, a.type])).toEqual([
      [0, "balance"],
      [1, "balance"],
    ]);
    expect(await eventTypes(runId)).toEqual(["step.finished", "step.finished", "run.completed"]);
  });

  it("a run cancelled before its last step is recorded is not completed", async () => {
    const { runId, run } = await runningRun();
    await record(run, 0, []);
    await testDb.db
      .updateTable("runs")
      .set({ cancel_requested_at: new Date() })
      .where("id", "=", runId)
      .execute();
    expect(await record(run, 1, [])).toEqual({ status: "completed" });
    expect((await readRun(testDb.db, runId))?.status).toBe("running");
    expect(await eventTypes(runId)).toEqual(["step.finished", "step.finished"]);
  });

  it("a cancel after the gate read the run stops the completion the gate's read would make", async () => {
    const { runId, run } = await runningRun();
    await record(run, 0, []);
    const gate = await openGate(testDb.db, { runId, index: 1, resume: false });
    if (!gate.go) throw new Error("the gate should let the last step go");
    expect(gate.completion?.steps.map((s) => s.step_index)).toEqual([0, 1]);
    // Cancelled while the action ran: the gate's read still says the run may complete.
    await testDb.db
      .updateTable("runs")
      .set({ cancel_requested_at: new Date() })
      .where("id", "=", runId)
      .execute();
    await recordOutcome(testDb.db, {
      run: gate.run,
      index: 1,
      action: balance,
      outcome: outcome([]),
      startedAt: Date.now(),
      completion: gate.completion!,
    });
    expect((await readRun(testDb.db, runId))?.status).toBe("running");
    expect(await eventTypes(runId)).not.toContain("run.completed");
  });

  it("the last step completes the run from the gate's read", async () => {
    const { runId, run } = await runningRun();
    await record(run, 0, [gas("1000")]);
    const gate = await openGate(testDb.db, { runId, index: 1, resume: false });
    if (!gate.go) throw new Error("the gate should let the last step go");
    await recordOutcome(testDb.db, {
      run: gate.run,
      index: 1,
      action: balance,
      outcome: outcome([gas("2000")]),
      startedAt: Date.now(),
      completion: gate.completion!,
    });
    const finished = (await readRun(testDb.db, runId))!;
    expect(finished.status).toBe("completed");
    expect((finished.cost as RunCost).totals).toEqual({ CRO: "3000" });
    expect(await eventTypes(runId)).toEqual([
      "step.finished",
      "step.started",
      "step.finished",
      "run.completed",
    ]);
  });

  it("a run cancelled while its action ran stays cancelled when the action waits for the chain", async () => {
    const { runId, run } = await runningRun();
    // The cancel lands after the gate read the run (cancelRun sets both, under the row lock).
    const now = new Date();
    await testDb.db
      .updateTable("runs")
      .set({ status: "cancelled", cancel_requested_at: now, finished_at: now })
      .where("id", "=", runId)
      .execute();
    const result = await recordOutcome(testDb.db, {
      run,
      index: 0,
      action: balance,
      outcome: { ...outcome([gas("21000")]), txHashes: ["0xabc"], waitFor: { token: "tok" } },
      startedAt: Date.now(),
    });
    expect(result).toEqual({ status: "waiting", waitFor: { token: "tok" } });
    const after = (await readRun(testDb.db, runId))!;
    expect(after.status).toBe("cancelled");
    // What the action sent is still on the books: the step, its transaction and its cost.
    expect((after.cost as RunCost).totals).toEqual({ CRO: "21000" });
    const step = await testDb.db
      .selectFrom("run_steps")
      .select(["status", "tx_hashes"])
      .where("id", "=", `${runId}:0`)
      .executeTakeFirstOrThrow();
    expect(step).toEqual({ status: "waiting_event", tx_hashes: ["0xabc"] });
    expect(await eventTypes(runId)).toEqual(["waiting.event"]);
  });
});
