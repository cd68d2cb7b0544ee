import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

/** The wake itself is the world's; what is under test is which payments the safety net wakes. */
const woken = vi.hoisted(() => [] as string[]);
vi.mock("../../../../lib/runs/wake/wakeRun.js", () => ({
  wakeRun: async (_workflowRunId: string, token: string) => {
    woken.push(token);
    return true;
  },
}));

const { reconcilePaymentWaits } = await import(
  "../../../../lib/runs/wake/reconcilePaymentWaits.js"
);
const { createTestDb } = await import("../../../helpers/db.js");

let testDb: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  testDb = await createTestDb("pglite");
}, 120_000);
afterAll(async () => {
  await testDb?.dispose();
});

const longAgo = new Date(Date.now() - 60_000);
const nonceOf = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;

/** A run waiting on its step `waitingIndex`, whose earlier steps each paid a settled payment. */
async function waitingRun(id: string, paidSteps: number, waitsOn: string | null): Promise<void> {
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: `ses_${id}` })
    .execute();
  await testDb.db
    .insertInto("runs")
    .values({
      id,
      session_id: `ses_${id}`,
      command: "pay then swap",
      status: "waiting_event",
      workflow_run_id: `wrun_${id}`,
    })
    .execute();
  for (let index = 0; index <= paidSteps; index++) {
    const waiting = index === paidSteps;
    await testDb.db
      .insertInto("run_steps")
      .values({
        id: `${id}:${index}`,
        run_id: id,
        step_index: index,
        action: waiting ? "swap" : "pay",
        status: waiting ? "waiting_event" : "completed",
        output: JSON.stringify(waiting && waitsOn ? { waitFor: { token: waitsOn } } : {}),
      })
      .execute();
  }
}

async function settledPayment(runId: string, stepIndex: number, nonce: string): Promise<void> {
  await testDb.db
    .insertInto("payments")
    .values({
      id: `pay_${nonce.slice(-8)}`,
      run_id: runId,
      step_id: `${runId}:${stepIndex}`,
      resource_url: "https://api.example/feed",
      amount: "100000",
      asset: "0x0000000000000000000000000000000000000001",
      network: "eip155:25",
      pay_to: "0x0000000000000000000000000000000000000002",
      nonce,
      status: "settled",
      created_at: longAgo,
      updated_at: longAgo,
    })
    .execute();
}

describe("reconcilePaymentWaits", () => {
  test("behavior: wakes only a step waiting on its payment; earlier steps' settled payments do not fill the batch", async () => {
    // 25 runs whose earlier pay step settled long ago and that now wait on a chain transaction.
    for (let n = 0; n < 25; n++) {
      await waitingRun(`run_busy_${n}`, 1, `chain:0x${n.toString(16).padStart(64, "0")}`);
      await settledPayment(`run_busy_${n}`, 0, nonceOf(n));
    }
    // One run really stuck: its pay step waits on a payment that has settled.
    const stuck = nonceOf(1000);
    await waitingRun("run_stuck", 0, `payment:${stuck}`);
    await settledPayment("run_stuck", 0, stuck);

    woken.length = 0;
    expect(await reconcilePaymentWaits(testDb.db)).toBe(1);
    expect(woken).toEqual([`payment:${stuck}`]);
  });
});
