import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { swapExactIn } from "../../../lib/chain/swapExactIn.js";
import { buyOutcome } from "../../../lib/markets/buyOutcome.js";
import { sellOutcome } from "../../../lib/markets/sellOutcome.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

/**
 * An approval slower than the inline receipt wait: the step's first attempt gives up waiting
 * (TransactionPendingError, the run sleeps on the approval's hash), and the resumed attempt finds
 * the allowance already granted, so it sends no approval. The approval's gas and hash are still
 * the step's: its result reports them, exactly once, as the wallet paid them.
 */
let devnet: TestDevnet;
let db: TestDb;
let context: ChainContext;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const MARKET = "cro-above-0.10-dec31";
const rpc = (method: string, params: unknown[] = []) =>
  context.publicClient.request({ method: method as never, params: params as never });
const cro = () => context.publicClient.getBalance({ address: context.account.address });

/** Runs one attempt while the chain mines nothing, then mines what it sent; returns its error. */
async function attemptUnmined(attempt: () => Promise<unknown>): Promise<unknown> {
  await rpc("evm_setAutomine", [false]);
  try {
    await attempt();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await rpc("evm_mine");
    await rpc("evm_setAutomine", [true]);
  }
}

/** The step's approval row, mined. */
async function approvalOf(stepId: string): Promise<{ hash: string; gasCost: bigint }> {
  const row = await db.db
    .selectFrom("chain_transactions")
    .select(["hash", "status"])
    .where("step_id", "=", `${stepId}:approve`)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe("confirmed");
  const receipt = await context.publicClient.getTransactionReceipt({
    hash: row.hash as `0x${string}`,
  });
  return { hash: row.hash, gasCost: receipt.gasUsed * receipt.effectiveGasPrice };
}

describe("a slow approval's gas", () => {
  test("behavior: a swap resumed after its approval was mined reports the approval's gas and hash", async () => {
    const parameters = {
      stepId: "slow-swap",
      tokenIn: "USDC",
      tokenOut: "CRO",
      amountIn: parseUnits("5", 6),
      slippageBps: 100,
      deadlineSeconds: 300,
      receiptTimeoutMs: 300,
    };
    const croBefore = await cro();
    const first = await attemptUnmined(() => swapExactIn(context, db.db, parameters));
    expect(first).toMatchObject({ name: "TransactionPendingError" });

    const result = await swapExactIn(context, db.db, parameters);
    const approval = await approvalOf(parameters.stepId);
    expect(result.approvalHash).toBe(approval.hash);
    // CRO out of the wallet is the gas (CRO in is what the swap paid out).
    expect(BigInt(result.gasCost)).toBe(croBefore + BigInt(result.amountOut) - (await cro()));
    expect(BigInt(result.gasCost)).toBeGreaterThan(approval.gasCost);
    // A retry of the completed step reports the same gas: the approval's is counted once.
    expect(await swapExactIn(context, db.db, parameters)).toMatchObject({
      gasCost: result.gasCost,
      approvalHash: approval.hash,
      reused: true,
    });
  });

  test("behavior: a bet whose approval and buy both outlast the wait reports the approval's gas once", async () => {
    const parameters = {
      stepId: "slow-bet",
      market: MARKET,
      outcome: "Yes",
      amount: parseUnits("10", 6),
      slippageBps: 100,
      receiptTimeoutMs: 300,
    };
    const croBefore = await cro();
    // 1: the approval outlasts the wait. 2: the allowance is there, the buy outlasts the wait.
    expect(await attemptUnmined(() => buyOutcome(context, db.db, parameters))).toMatchObject({
      name: "TransactionPendingError",
    });
    expect(await attemptUnmined(() => buyOutcome(context, db.db, parameters))).toMatchObject({
      name: "TransactionPendingError",
    });
    // 3: the buy is mined; this attempt sent nothing.
    const result = await buyOutcome(context, db.db, parameters);
    const approval = await approvalOf(parameters.stepId);
    expect(result).toMatchObject({ approvalHash: approval.hash, reused: true });
    expect(BigInt(result.gasCost)).toBe(croBefore - (await cro()));

    // A buy recorded before readStepApproval existed has no approval on its row: still counted.
    await db.db
      .updateTable("chain_transactions")
      .set({
        details: JSON.stringify({
          ...((
            await db.db
              .selectFrom("chain_transactions")
              .select("details")
              .where("hash", "=", result.hash)
              .executeTakeFirstOrThrow()
          ).details as Record<string, unknown>),
          approvalHash: undefined,
          approvalGasCost: undefined,
        }),
      })
      .where("hash", "=", result.hash)
      .execute();
    expect(await buyOutcome(context, db.db, parameters)).toMatchObject({
      gasCost: result.gasCost,
      approvalHash: approval.hash,
    });
  });

  test("behavior: a sale resumed after its share approval was mined reports the approval's gas and hash", async () => {
    const parameters = {
      stepId: "slow-sale",
      market: MARKET,
      outcome: "Yes",
      slippageBps: 100,
      receiptTimeoutMs: 300,
    };
    const croBefore = await cro();
    expect(await attemptUnmined(() => sellOutcome(context, db.db, parameters))).toMatchObject({
      name: "TransactionPendingError",
    });
    const result = await sellOutcome(context, db.db, parameters);
    const approval = await approvalOf(parameters.stepId);
    expect(result).toMatchObject({ approvalHash: approval.hash, reused: false });
    expect(BigInt(result.gasCost)).toBe(croBefore - (await cro()));
  });
});
