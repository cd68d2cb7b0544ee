import { createWalletClient, erc20Abi, http, maxUint256, parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getChainContext } from "../../../../lib/chain/clients.js";
import type { CostItem, RunCost } from "../../../../lib/runs/cost.js";
import {
  bookFailedStepGas,
  minedGasDetail,
} from "../../../../lib/runs/execute/bookFailedStepGas.js";
import { runActionStep } from "../../../../lib/runs/execute/runActionStep.js";
import { runWithAction, useChain } from "../../../helpers/actionStep.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";

/**
 * A step whose transaction was mined and reverted paid gas from the agent wallet: failing its run
 * books that gas (and its approval's) in the run's cost, once, like an x402 cancel's gas.
 */
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

async function costOf(runId: string): Promise<RunCost | null> {
  const row = await db.db
    .selectFrom("runs")
    .select("cost")
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  return row.cost as RunCost | null;
}

const gasItems = (cost: RunCost | null): CostItem[] =>
  (cost?.items ?? []).filter((item) => item.kind === "gas");

describe("behavior: a failed step's mined transactions count in its run's cost", () => {
  test("a transfer mined and reverted: the run fails with the gas it paid in its cost, once", async () => {
    const chain = getChainContext();
    const agent = devnet.accounts.agent;
    const merchant = devnet.accounts.merchant;
    // Outside Paygent, the merchant may pull the agent's USDC: it takes it first, so the step's
    // transfer (already broadcast) reverts when mined.
    const agentWallet = createWalletClient({
      account: privateKeyToAccount(agent.privateKey),
      chain: chain.chain,
      transport: http(devnet.rpcUrl),
    });
    const allowance = await agentWallet.writeContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [merchant.address, maxUint256],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash: allowance, pollingInterval: 20 });
    const balance = await chain.publicClient.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [agent.address],
    });
    const run = await runWithAction(db, {
      type: "transfer",
      token: "USDC",
      amount: balance.toString(),
      to: merchant.address,
    });
    const croBefore = await chain.publicClient.getBalance({ address: agent.address });
    await rpc("evm_setAutomine", [false]);
    try {
      const first = await runActionStep(db.db, "transfer", { runId: run.id, index: 0, attempt: 1 });
      expect(first.status).toBe("waiting");
      const merchantWallet = createWalletClient({
        account: privateKeyToAccount(merchant.privateKey),
        chain: chain.chain,
        transport: http(devnet.rpcUrl),
      });
      await merchantWallet.writeContract({
        address: devnet.addresses.usdc,
        abi: erc20Abi,
        functionName: "transferFrom",
        args: [agent.address, merchant.address, balance],
        maxPriorityFeePerGas: parseGwei("50"),
        maxFeePerGas: parseGwei("200"),
        gas: 100_000n,
      });
      await rpc("evm_mine");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const gasPaid = croBefore - (await chain.publicClient.getBalance({ address: agent.address }));
    expect(gasPaid).toBeGreaterThan(0n);

    // The run wakes on the hash and runs the step again: the transfer reverted.
    const resumed = { runId: run.id, index: 0, attempt: 1, resume: true };
    const failed = await runActionStep(db.db, "transfer", resumed).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const row = await db.db
      .selectFrom("runs")
      .select(["status", "error"])
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("failed");
    expect((row.error as { message: string }).message).toMatch(/reverted/);
    const [tx] = await db.db
      .selectFrom("chain_transactions")
      .select(["hash", "status"])
      .where("run_id", "=", run.id)
      .execute();
    expect(tx?.status).toBe("reverted");
    const items = gasItems(await costOf(run.id));
    expect(items).toEqual([
      expect.objectContaining({
        unit: "CRO",
        amount: gasPaid.toString(),
        detail: minedGasDetail(tx!.hash),
      }),
    ]);

    // A replay of the step, or a second booking, adds nothing.
    await runActionStep(db.db, "transfer", resumed).catch(() => {});
    expect(await bookFailedStepGas(db.db, { runId: run.id, stepId: `${run.id}:0` })).toEqual([]);
    const again = await costOf(run.id);
    expect(gasItems(again)).toEqual(items);
    expect(again?.totals.CRO).toBe(gasPaid.toString());
  });

  test("counts the step's transaction and its approval, mined either way; not dropped or other steps' ones", async () => {
    const run = await runWithAction(db, {
      type: "transfer",
      token: "USDC",
      amount: "1",
      to: devnet.accounts.merchant.address,
    });
    const stepId = `${run.id}:0`;
    const hash = (n: number) =>
      `0x${run.id.replace(/\W/g, "").padEnd(20, "0")}${String(n).padStart(44, "0")}`;
    const tx = (n: number, step: string, status: string, gas: [number, number] | null) => ({
      hash: hash(n),
      run_id: run.id,
      step_id: step,
      chain_id: 338,
      from_address: devnet.accounts.agent.address,
      to_address: devnet.addresses.usdc,
      nonce: n,
      kind: "erc20_transfer",
      status: status as "confirmed",
      gas_used: gas ? String(gas[0]) : null,
      effective_gas_price: gas ? String(gas[1]) : null,
    });
    await db.db
      .insertInto("chain_transactions")
      .values([
        tx(1, `${stepId}:approve`, "confirmed", [46_000, 5]),
        tx(2, stepId, "reverted", [30_000, 7]),
        tx(3, stepId, "dropped", null),
        tx(4, `${run.id}:1`, "reverted", [30_000, 7]),
        tx(5, `x402-cancel:${stepId}`, "confirmed", [50_000, 7]),
      ])
      .execute();
    const booked = await bookFailedStepGas(db.db, { runId: run.id, stepId });
    expect(booked).toEqual([
      { kind: "gas", unit: "CRO", amount: "230000", detail: minedGasDetail(hash(1)) },
      { kind: "gas", unit: "CRO", amount: "210000", detail: minedGasDetail(hash(2)) },
    ]);
    expect(await bookFailedStepGas(db.db, { runId: run.id, stepId })).toEqual([]);
    const cost = await costOf(run.id);
    expect(cost?.items).toEqual(booked);
    expect(cost?.totals).toEqual({ CRO: "440000" });
  });
});
