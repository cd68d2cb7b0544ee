import { erc20Abi, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { getChainContext } from "../../../../lib/chain/clients.js";
import { runActionStep } from "../../../../lib/runs/execute/runActionStep.js";
import { reconcileChainWaits } from "../../../../lib/runs/wake/reconcileChainWaits.js";
import { runWithAction, useChain } from "../../../helpers/actionStep.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";

/**
 * A swap whose approval and swap are each still pending after the inline wait: the step resumed
 * after the approval's wait sends the swap and answers a new wait on the swap's hash (`newWait`),
 * also when the approval's wait had timed out, instead of failing the run while the swap may still
 * land. The safety net wakes only the wait the step is in, not the approval's hook again.
 */
const woken: string[] = [];
vi.mock("../../../../lib/runs/wake/wakeRun.js", () => ({
  wakeRun: async (_workflowRunId: string, token: string) => {
    woken.push(token);
    return true;
  },
}));

let devnet: TestDevnet;
let db: TestDb;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  useChain(devnet.rpcUrl, 200);
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const rpc = (method: string, params: unknown[] = []) =>
  getChainContext().publicClient.request({ method: method as never, params: params as never });
const usdc = () =>
  getChainContext().publicClient.readContract({
    address: devnet.addresses.usdc,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [devnet.accounts.agent.address],
  });

/** Makes the rows look settled a while ago (the safety net leaves the watcher 3 s). */
async function settledAgo(runId: string) {
  await db.db
    .updateTable("chain_transactions")
    .set({ updated_at: new Date(Date.now() - 60_000) })
    .where("run_id", "=", runId)
    .execute();
}

describe("behavior: a step that sends two slow transactions", () => {
  test("waits on the swap after the approval, even after the approval's wait timed out; swaps once", async () => {
    const run = await runWithAction(db, {
      type: "swap",
      tokenIn: "USDC",
      tokenOut: "CRO",
      amountIn: parseUnits("5", 6).toString(),
      slippageBps: 100,
      deadlineSeconds: 600,
    });
    await db.db
      .updateTable("runs")
      .set({ workflow_run_id: "wrun_test" })
      .where("id", "=", run.id)
      .execute();
    const usdcBefore = await usdc();
    const step = { runId: run.id, index: 0, attempt: 1 };
    await rpc("evm_setAutomine", [false]);
    let approveToken: string;
    let swapToken: string;
    try {
      const first = await runActionStep(db.db, "swap", step);
      expect(first.status).toBe("waiting");
      expect(first.newWait).toBeUndefined();
      approveToken = first.waitFor!.token;
      await rpc("evm_mine"); // the approval is mined, but its hook never fired: the wait timed out
      const second = await runActionStep(db.db, "swap", {
        ...step,
        resume: true,
        finalAttempt: true,
        waitedOn: approveToken,
      });
      // Not failed: the swap was just sent and may land; the workflow waits on its hash.
      expect(second).toMatchObject({ status: "waiting", newWait: true });
      swapToken = second.waitFor!.token;
      expect(swapToken).not.toBe(approveToken);
      const row = await db.db
        .selectFrom("runs")
        .select(["status"])
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("waiting_event");
      const waits = await db.db
        .selectFrom("run_events")
        .select("data")
        .where("run_id", "=", run.id)
        .where("type", "=", "waiting.event")
        .orderBy("id")
        .execute();
      expect(waits.map((e) => (e.data as { token: string }).token)).toEqual([
        approveToken,
        swapToken,
      ]);

      // The safety net does not wake the approval's hook again while the step waits on the swap.
      await settledAgo(run.id);
      woken.length = 0;
      await reconcileChainWaits(db.db);
      expect(woken).toEqual([]);
      await rpc("evm_mine"); // the swap lands
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    // …and wakes the swap's, once the swap's receipt is recorded (as the watcher records it).
    await db.db
      .updateTable("chain_transactions")
      .set({ status: "confirmed" })
      .where("run_id", "=", run.id)
      .where("step_id", "=", `${run.id}:0`)
      .execute();
    await settledAgo(run.id);
    woken.length = 0;
    await reconcileChainWaits(db.db);
    expect(woken).toEqual([swapToken]);

    const third = await runActionStep(db.db, "swap", {
      ...step,
      resume: true,
      waitedOn: swapToken,
    });
    expect(third).toEqual({ status: "completed" });
    const row = await db.db
      .selectFrom("runs")
      .select(["status"])
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("completed");
    expect(usdcBefore - (await usdc())).toBe(parseUnits("5", 6));
    const sent = await db.db
      .selectFrom("chain_transactions")
      .select(["step_id", "status"])
      .where("run_id", "=", run.id)
      .orderBy("created_at")
      .execute();
    expect(sent).toEqual([
      { step_id: `${run.id}:0:approve`, status: "confirmed" },
      { step_id: `${run.id}:0`, status: "confirmed" },
    ]);
  });

  test("a final attempt still pending on the hash it waited on fails the run with event_timeout", async () => {
    const run = await runWithAction(db, {
      type: "transfer",
      token: "USDC",
      amount: parseUnits("1", 6).toString(),
      to: devnet.accounts.merchant.address,
    });
    const step = { runId: run.id, index: 0, attempt: 1 };
    await rpc("evm_setAutomine", [false]);
    try {
      const first = await runActionStep(db.db, "transfer", step);
      expect(first.status).toBe("waiting");
      const final = await runActionStep(db.db, "transfer", {
        ...step,
        resume: true,
        finalAttempt: true,
        waitedOn: first.waitFor!.token,
      }).catch((error: Error) => error);
      expect(final).toBeInstanceOf(Error);
      await rpc("evm_mine");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const row = await db.db
      .selectFrom("runs")
      .select(["status", "error"])
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("failed");
    expect(row.error).toMatchObject({ code: "event_timeout" });
  });
});
