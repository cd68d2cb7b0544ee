import {
  createPublicClient,
  createWalletClient,
  custom,
  erc20Abi,
  type Hex,
  http,
  isAddressEqual,
  parseEther,
  parseTransaction,
  parseUnits,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { quoteSwap } from "../../../lib/chain/quoteSwap.js";
import { swapExactIn } from "../../../lib/chain/swapExactIn.js";
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

const agent = () => devnet.accounts.agent.address;
const usdc = () =>
  context.publicClient.readContract({
    address: devnet.addresses.usdc,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [agent()],
  });
const nonce = () => context.publicClient.getTransactionCount({ address: agent() });

describe("swapExactIn", () => {
  test("behavior: CRO → USDC pays the quote, amountOut from the receipt; retry sends nothing", async () => {
    const amountIn = parseEther("10");
    const quote = await quoteSwap(context, { tokenIn: "CRO", tokenOut: "USDC", amountIn });
    const usdcBefore = await usdc();
    const croBefore = await context.publicClient.getBalance({ address: agent() });
    const result = await swapExactIn(context, db.db, {
      stepId: "swap-1",
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn,
      slippageBps: 50,
      deadlineSeconds: 300,
    });
    expect(result.amountOut).toBe(quote.amountOut);
    expect((await usdc()) - usdcBefore).toBe(BigInt(result.amountOut));
    const croAfter = await context.publicClient.getBalance({ address: agent() });
    expect(croBefore - croAfter).toBe(amountIn + BigInt(result.gasCost));
    expect(BigInt(result.amountOutMin)).toBe((BigInt(quote.amountOut) * 9950n) / 10000n);

    const nonceAfter = await nonce();
    const retry = await swapExactIn(context, db.db, {
      stepId: "swap-1",
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn,
      slippageBps: 50,
      deadlineSeconds: 300,
    });
    expect(retry).toMatchObject({ hash: result.hash, amountOut: result.amountOut, reused: true });
    expect(await nonce()).toBe(nonceAfter);
    const row = await db.db
      .selectFrom("chain_transactions")
      .selectAll()
      .where("hash", "=", result.hash)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "confirmed", kind: "swap", step_id: "swap-1" });
    expect((row.details as { amountOut: string }).amountOut).toBe(result.amountOut);
  });

  test("behavior: USDC → CRO approves first, then receives native CRO (unwrapped)", async () => {
    const amountIn = parseUnits("5", 6);
    const croBefore = await context.publicClient.getBalance({ address: agent() });
    const result = await swapExactIn(context, db.db, {
      stepId: "swap-2",
      tokenIn: "USDC",
      tokenOut: "CRO",
      amountIn,
      slippageBps: 100,
      deadlineSeconds: 300,
    });
    expect(result.approvalHash).toMatch(/^0x/);
    // 5 USDC ≈ 50 CRO less the fee.
    expect(BigInt(result.amountOut)).toBeGreaterThan(parseEther("49.7"));
    expect(BigInt(result.amountOut)).toBeLessThan(parseEther("50"));
    const croAfter = await context.publicClient.getBalance({ address: agent() });
    expect(croAfter - croBefore).toBe(BigInt(result.amountOut) - BigInt(result.gasCost));
    const approve = await db.db
      .selectFrom("chain_transactions")
      .selectAll()
      .where("step_id", "=", "swap-2:approve")
      .execute();
    expect(approve).toMatchObject([
      { kind: "approve", status: "confirmed", hash: result.approvalHash },
    ]);
  });

  test("behavior: VVS → USDC through WCRO", async () => {
    const before = await usdc();
    const result = await swapExactIn(context, db.db, {
      stepId: "swap-3",
      tokenIn: "VVS",
      tokenOut: "USDC",
      amountIn: parseEther("100000"),
      slippageBps: 100,
      deadlineSeconds: 300,
    });
    expect(result.path).toHaveLength(3);
    expect((await usdc()) - before).toBe(BigInt(result.amountOut));
  });

  test("error: a minimum above what the pool gives fails before sending, with a clear error", async () => {
    const amountIn = parseEther("10");
    const quote = await quoteSwap(context, { tokenIn: "CRO", tokenOut: "USDC", amountIn });
    const nonceBefore = await nonce();
    const error = await swapExactIn(context, db.db, {
      stepId: "swap-tight",
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn,
      slippageBps: 0,
      deadlineSeconds: 300,
      minAmountOut: BigInt(quote.amountOut) + 1n,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "SlippageExceededError" });
    expect((error as Error).message).toMatch(
      /would return less than the minimum .*nothing was sent/,
    );
    expect(await nonce()).toBe(nonceBefore);
  });

  test("error: swapping more than the wallet holds", async () => {
    await expect(
      swapExactIn(context, db.db, {
        stepId: "swap-big",
        tokenIn: "USDC",
        tokenOut: "CRO",
        amountIn: parseUnits("50000000", 6),
        slippageBps: 50,
        deadlineSeconds: 300,
      }),
    ).rejects.toMatchObject({ name: "InsufficientBalanceError" });
  });

  test("adversary: the block time moves between the estimate and the mining; the swap still has the gas", async () => {
    // A fresh chain, so both pairs' price accumulators are still zero: the costliest first trade.
    const fresh = await startTestDevnet();
    try {
      const base = createChainContext({ network: "devnet", rpcUrl: fresh.rpcUrl });
      const rpc = (method: string, params: unknown[] = []) =>
        base.publicClient.request({ method, params } as never);
      // Every block keeps the deploy's timestamp, so the estimate sees no time pass since the pairs'
      // last trade and skips the accumulator writes...
      await rpc("anvil_setBlockTimestampInterval", [0]);
      const node = http(fresh.rpcUrl)({ chain: base.chain });
      const transport = custom({
        async request({ method, params }) {
          if (method === "eth_sendRawTransaction") {
            const sent = parseTransaction((params as [Hex])[0]);
            if (sent.to && isAddressEqual(sent.to, fresh.addresses.router)) {
              // ...and the block that mines the swap is a minute later, so it does them.
              const latest = await base.publicClient.getBlock();
              await rpc("anvil_removeBlockTimestampInterval");
              await rpc("evm_setNextBlockTimestamp", [Number(latest.timestamp) + 60]);
            }
          }
          return node.request({ method, params } as never);
        },
      });
      const context: ChainContext = {
        ...base,
        publicClient: createPublicClient({ chain: base.chain, transport, pollingInterval: 50 }),
        walletClient: createWalletClient({
          chain: base.chain,
          transport,
          account: base.account,
          pollingInterval: 50,
        }),
      };
      const result = await swapExactIn(context, db.db, {
        stepId: "swap-late-block",
        tokenIn: "VVS",
        tokenOut: "USDC",
        amountIn: parseEther("100000"),
        slippageBps: 100,
        deadlineSeconds: 300,
      });
      const receipt = await base.publicClient.getTransactionReceipt({ hash: result.hash });
      const block = await base.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      const previous = await base.publicClient.getBlock({ blockNumber: receipt.blockNumber - 1n });
      expect(block.timestamp - previous.timestamp).toBe(60n);
      expect(receipt.status).toBe("success");
      expect(BigInt(result.amountOut)).toBeGreaterThan(0n);
    } finally {
      await fresh.stop();
    }
  });
});
