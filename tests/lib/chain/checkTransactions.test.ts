import { encodeFunctionData, erc20Abi, type Hex, keccak256, maxUint256, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { routerAbi } from "../../../lib/chain/abis.js";
import { checkTransactions } from "../../../lib/chain/checkTransactions.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { transferToken } from "../../../lib/chain/transferToken.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

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

/** Signs a transaction from the agent without sending it, and records it as sendRecordedTransaction would. */
async function recordSigned(
  stepId: string,
  request: { to: `0x${string}`; data?: Hex; value?: bigint; gas?: bigint },
) {
  const nonce = await context.publicClient.getTransactionCount({
    address: context.account.address,
    blockTag: "pending",
  });
  const prepared = await context.walletClient.prepareTransactionRequest({ ...request, nonce });
  const raw = await context.walletClient.signTransaction(
    prepared as Parameters<typeof context.walletClient.signTransaction>[0],
  );
  const hash = keccak256(raw);
  await db.db
    .insertInto("chain_transactions")
    .values({
      hash,
      step_id: stepId,
      chain_id: devnet.chainId,
      from_address: context.account.address,
      to_address: request.to,
      nonce,
      kind: "swap",
      status: "submitted",
      raw_transaction: raw,
    })
    .execute();
  return { hash, raw, nonce };
}

describe("checkTransactions", () => {
  test("behavior: a mined revert becomes reverted with the router's reason and its gas cost", async () => {
    const deadline = maxUint256;
    // amountOutMin far above what 1 CRO buys; an explicit gas limit skips estimation so it is mined and reverts.
    const { hash, raw } = await recordSigned("watch-revert", {
      to: devnet.addresses.router,
      value: parseEther("1"),
      gas: 300_000n,
      data: encodeFunctionData({
        abi: routerAbi,
        functionName: "swapExactETHForTokens",
        args: [
          10n ** 30n,
          [devnet.addresses.wcro, devnet.addresses.usdc],
          context.account.address,
          deadline,
        ],
      }),
    });
    await context.publicClient.sendRawTransaction({ serializedTransaction: raw });
    // Mined asynchronously even on anvil; the watcher would see it pending until then.
    await context.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    const changes = await checkTransactions(context, db.db);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ hash, status: "reverted", stepId: "watch-revert" });
    expect(changes[0]?.error).toMatch(/INSUFFICIENT_OUTPUT_AMOUNT/);
    expect(BigInt(changes[0]?.gasCost ?? 0)).toBeGreaterThan(0n);
    const row = await db.db
      .selectFrom("chain_transactions")
      .selectAll()
      .where("hash", "=", hash)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "reverted" });
    expect(row.error).toMatch(/INSUFFICIENT_OUTPUT_AMOUNT/);
  });

  test("behavior: out of gas is named as such", async () => {
    const { hash, raw } = await recordSigned("watch-oog", {
      to: devnet.addresses.usdc,
      gas: 30_000n,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: "transfer",
        args: [devnet.accounts.merchant.address, 1n],
      }),
    });
    await context.publicClient.sendRawTransaction({ serializedTransaction: raw });
    // Mined asynchronously even on anvil; the watcher would see it pending until then.
    await context.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    const changes = await checkTransactions(context, db.db);
    expect(changes).toMatchObject([{ hash, status: "reverted", error: "out of gas" }]);
  });

  test("behavior: a transaction whose nonce another transaction used is dropped; the step then sends anew", async () => {
    const merchant = devnet.accounts.merchant.address;
    const stale = await recordSigned("watch-dropped", {
      to: devnet.addresses.usdc,
      data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [merchant, 5n] }),
    });
    // Another transaction takes the same nonce (the stale one was never broadcast).
    const other = await transferToken(context, db.db, {
      stepId: "watch-other",
      token: "USDC",
      to: merchant,
      amount: 1n,
    });
    expect(other.nonce).toBe(stale.nonce);
    const changes = await checkTransactions(context, db.db);
    expect(changes).toMatchObject([{ hash: stale.hash, status: "dropped" }]);
    const rows = await db.db
      .selectFrom("chain_transactions")
      .select(["hash", "status"])
      .where("status", "=", "submitted")
      .execute();
    expect(rows).toHaveLength(0);
  });

  test("behavior: a confirmed row reports its gas cost once, then drops out of the check", async () => {
    const { hash, raw } = await recordSigned("watch-ok", {
      to: devnet.addresses.usdc,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: "transfer",
        args: [devnet.accounts.merchant.address, 3n],
      }),
    });
    await context.publicClient.sendRawTransaction({ serializedTransaction: raw });
    const receipt = await context.publicClient.waitForTransactionReceipt({
      hash,
      pollingInterval: 20,
    });
    const changes = await checkTransactions(context, db.db);
    expect(changes).toEqual([
      {
        hash,
        runId: null,
        stepId: "watch-ok",
        kind: "swap",
        status: "confirmed",
        gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      },
    ]);
    expect(await checkTransactions(context, db.db)).toEqual([]);
  });

  test("behavior: a pending row the node never saw stays submitted and is rebroadcast byte-identically", async () => {
    const { hash } = await recordSigned("watch-lost", {
      to: devnet.addresses.usdc,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: "transfer",
        args: [devnet.accounts.merchant.address, 9n],
      }),
    });
    expect(await checkTransactions(context, db.db)).toEqual([]);
    const receipt = await context.publicClient.waitForTransactionReceipt({
      hash,
      pollingInterval: 20,
    });
    expect(receipt.status).toBe("success");
    expect(await checkTransactions(context, db.db)).toMatchObject([{ hash, status: "confirmed" }]);
  });
});
