import { encodeFunctionData, erc20Abi, keccak256, parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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

const usdcOf = (address: `0x${string}`) =>
  context.publicClient.readContract({
    address: devnet.addresses.usdc,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [address],
  });
const nonceOfAgent = () =>
  context.publicClient.getTransactionCount({ address: devnet.accounts.agent.address });

describe("transferToken", () => {
  test("behavior: sends USDC, records the row with gas, and a retry with the same stepId sends nothing", async () => {
    const merchant = devnet.accounts.merchant.address;
    const before = await usdcOf(merchant);
    const first = await transferToken(context, db.db, {
      stepId: "step-usdc-1",
      runId: "run-1",
      token: "USDC",
      to: merchant,
      amount: parseUnits("1.25", 6).toString(),
    });
    expect(first.reused).toBe(false);
    expect(BigInt(first.gasCost)).toBeGreaterThan(0n);
    const nonceAfterFirst = await nonceOfAgent();

    const retry = await transferToken(context, db.db, {
      stepId: "step-usdc-1",
      token: "usdc",
      to: merchant,
      amount: 1_250_000n,
    });
    expect(retry).toMatchObject({
      hash: first.hash,
      nonce: first.nonce,
      reused: true,
      gasCost: first.gasCost,
    });
    expect(await nonceOfAgent()).toBe(nonceAfterFirst);
    expect((await usdcOf(merchant)) - before).toBe(1_250_000n);

    const rows = await db.db
      .selectFrom("chain_transactions")
      .selectAll()
      .where("step_id", "=", "step-usdc-1")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      hash: first.hash,
      status: "confirmed",
      kind: "transfer",
      run_id: "run-1",
      token: "USDC",
      amount: "1250000",
    });
    expect(BigInt(rows[0]?.gas_used ?? 0) * BigInt(rows[0]?.effective_gas_price ?? 0)).toBe(
      BigInt(first.gasCost),
    );
  });

  test("behavior: native CRO transfer", async () => {
    const recipient = "0x000000000000000000000000000000000000c0de";
    const result = await transferToken(context, db.db, {
      stepId: "step-cro-1",
      token: "CRO",
      to: recipient,
      amount: parseEther("0.5"),
    });
    expect(await context.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.5"));
    expect(result.token).toBe("CRO");
  });

  test("behavior: a row recorded but never broadcast (crash) is rebroadcast byte-identically, not re-signed", async () => {
    const merchant = devnet.accounts.merchant.address;
    const amount = 777n;
    const nonce = await context.publicClient.getTransactionCount({
      address: context.account.address,
      blockTag: "pending",
    });
    const prepared = await context.walletClient.prepareTransactionRequest({
      to: devnet.addresses.usdc,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: "transfer",
        args: [merchant, amount],
      }),
      nonce,
    });
    const raw = await context.walletClient.signTransaction(
      prepared as Parameters<typeof context.walletClient.signTransaction>[0],
    );
    const hash = keccak256(raw);
    // What sendRecordedTransaction writes before broadcasting; the process "dies" before the broadcast.
    await db.db
      .insertInto("chain_transactions")
      .values({
        hash,
        step_id: "step-crash",
        chain_id: devnet.chainId,
        from_address: context.account.address,
        to_address: devnet.addresses.usdc,
        nonce,
        kind: "transfer",
        status: "submitted",
        raw_transaction: raw,
        token: "USDC",
        amount,
        details: JSON.stringify({ to: merchant }),
      })
      .execute();
    const before = await usdcOf(merchant);
    const result = await transferToken(context, db.db, {
      stepId: "step-crash",
      token: "USDC",
      to: merchant,
      amount,
    });
    expect(result).toMatchObject({ hash, nonce, reused: true });
    expect((await usdcOf(merchant)) - before).toBe(amount);
  });

  test("error: same stepId with a different amount is a conflict, nothing sent", async () => {
    const nonce = await nonceOfAgent();
    await expect(
      transferToken(context, db.db, {
        stepId: "step-usdc-1",
        token: "USDC",
        to: devnet.accounts.merchant.address,
        amount: 1n,
      }),
    ).rejects.toThrow(/already sent a different transfer/);
    expect(await nonceOfAgent()).toBe(nonce);
  });

  test("error: insufficient balance is refused before sending", async () => {
    const nonce = await nonceOfAgent();
    const error = await transferToken(context, db.db, {
      stepId: "step-too-much",
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: parseUnits("1000000", 6),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: "InsufficientBalanceError",
      token: "USDC",
      required: "1000000000000",
    });
    expect(await nonceOfAgent()).toBe(nonce);
    const rows = await db.db
      .selectFrom("chain_transactions")
      .select("hash")
      .where("step_id", "=", "step-too-much")
      .execute();
    expect(rows).toHaveLength(0);
  });

  test("behavior: concurrent transfers get distinct nonces; concurrent attempts of one step send once", async () => {
    const merchant = devnet.accounts.merchant.address;
    const distinct = await Promise.all(
      [1, 2, 3, 4, 5].map((index) =>
        transferToken(context, db.db, {
          stepId: `step-par-${index}`,
          token: "USDC",
          to: merchant,
          amount: BigInt(index),
        }),
      ),
    );
    expect(new Set(distinct.map((result) => result.nonce)).size).toBe(5);

    const before = await usdcOf(merchant);
    const same = await Promise.all(
      [1, 2, 3].map(() =>
        transferToken(context, db.db, {
          stepId: "step-same",
          token: "USDC",
          to: merchant,
          amount: 42n,
        }),
      ),
    );
    expect(new Set(same.map((result) => result.hash)).size).toBe(1);
    expect(same.filter((result) => !result.reused)).toHaveLength(1);
    expect((await usdcOf(merchant)) - before).toBe(42n);
  });
});
