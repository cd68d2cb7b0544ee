import { createWalletClient, erc20Abi, http, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getChainContext } from "../../../../lib/chain/clients.js";
import { fixtureArtifacts } from "../../../../lib/chain/devnet/artifacts.js";
import { fpmmAbi } from "../../../../lib/markets/abis.js";
import { buyOutcome } from "../../../../lib/markets/buyOutcome.js";
import { quoteSell } from "../../../../lib/markets/quoteSell.js";
import { requireMarket } from "../../../../lib/markets/requireMarket.js";
import type { RunCost } from "../../../../lib/runs/cost.js";
import { minedGasDetail } from "../../../../lib/runs/execute/bookFailedStepGas.js";
import { runActionStep } from "../../../../lib/runs/execute/runActionStep.js";
import { runWithAction, useChain } from "../../../helpers/actionStep.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";

/**
 * A sale whose share approval outlasts the inline wait, resumed into a market pushed below the
 * plan's floor: the sale is refused, but the approval was mined for this step, so the failed run's
 * cost carries its gas. The resumed attempt marks the approval mined before it refuses; left
 * "submitted", the failed step's booking (bookFailedStepGas) would not see it.
 */
const MARKET = "cro-above-0.10-dec31";
let devnet: TestDevnet;
let db: TestDb;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  useChain(devnet.rpcUrl, 300);
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const rpc = (method: string, params: unknown[] = []) =>
  getChainContext().publicClient.request({ method: method as never, params: params as never });

/** Another account buys `amount` of collateral worth of No: the agent's Yes shares fetch less. */
async function pushMarket(amount: bigint): Promise<void> {
  const chain = getChainContext();
  const wallet = (privateKey: `0x${string}`) =>
    createWalletClient({
      account: privateKeyToAccount(privateKey),
      chain: chain.chain,
      transport: http(devnet.rpcUrl),
    });
  const mined = async (hash: `0x${string}`) => {
    await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  };
  const fpmm = requireMarket(chain, MARKET).fpmm;
  const pusher = wallet(devnet.accounts.merchant.privateKey);
  await mined(
    await wallet(devnet.accounts.deployer.privateKey).writeContract({
      address: devnet.addresses.usdc,
      abi: fixtureArtifacts().paygentUsd.abi,
      functionName: "mint",
      args: [devnet.accounts.merchant.address, amount],
    }),
  );
  await mined(
    await pusher.writeContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [fpmm, amount],
    }),
  );
  await mined(
    await pusher.writeContract({
      address: fpmm,
      abi: fpmmAbi,
      functionName: "buy",
      args: [amount, 1n, 0n],
    }),
  );
}

describe("a refused sale after a slow approval", () => {
  test("behavior: the failed run's cost carries the approval's gas", async () => {
    const chain = getChainContext();
    await buyOutcome(chain, db.db, {
      stepId: "slow-refused-hold",
      market: MARKET,
      outcome: "Yes",
      amount: parseUnits("50", 6),
      slippageBps: 100,
    });
    const planned = await quoteSell(chain, {
      market: MARKET,
      outcome: "Yes",
      shares: "all",
      slippageBps: 100,
    });
    const run = await runWithAction(db, {
      type: "sellShares",
      market: MARKET,
      outcome: "Yes",
      token: "USDC",
      slippageBps: 100,
      shares: planned.sharesHeld,
      quotedReturn: planned.quotedReturn,
    });
    const step = { runId: run.id, index: 0, attempt: 1 };

    // 1: the share approval is sent and not mined within the inline wait: the step waits on it.
    await rpc("evm_setAutomine", [false]);
    let waiting: Awaited<ReturnType<typeof runActionStep>>;
    try {
      waiting = await runActionStep(db.db, "sellShares", step);
    } finally {
      await rpc("evm_mine");
      await rpc("evm_setAutomine", [true]);
    }
    expect(waiting).toBeDefined();
    const approval = await db.db
      .selectFrom("chain_transactions")
      .select("hash")
      .where("step_id", "=", `${run.id}:0:approve`)
      .executeTakeFirstOrThrow();

    // 2: the market moves below the plan's floor; the resumed step refuses the sale.
    await pushMarket(parseUnits("3000", 6));
    await expect(runActionStep(db.db, "sellShares", { ...step, resume: true })).rejects.toThrow(
      /less than the minimum \d+ the plan allows/,
    );

    const receipt = await chain.publicClient.getTransactionReceipt({
      hash: approval.hash as `0x${string}`,
    });
    const after = await db.db
      .selectFrom("runs")
      .select(["status", "cost"])
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe("failed");
    const gas = ((after.cost as RunCost | null)?.items ?? []).filter((item) => item.kind === "gas");
    expect(gas).toEqual([
      expect.objectContaining({
        amount: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
        detail: minedGasDetail(approval.hash),
      }),
    ]);
  });
});
