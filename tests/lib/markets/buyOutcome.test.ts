import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  createWalletClient,
  encodeFunctionData,
  erc20Abi,
  http,
  keccak256,
  maxUint256,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { conditionalTokensAbi, fpmmAbi } from "../../../lib/markets/abis.js";
import { buyOutcome } from "../../../lib/markets/buyOutcome.js";
import { readMarketState } from "../../../lib/markets/readMarketState.js";
import { requireMarket } from "../../../lib/markets/requireMarket.js";
import { resolveMarket } from "../../../lib/markets/resolveMarket.js";
import { sellOutcome } from "../../../lib/markets/sellOutcome.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let db: TestDb;
let context: ChainContext;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
  // The collateral approval is not what these tests are about: approve once, up front.
  const agentWallet = createWalletClient({
    account: privateKeyToAccount(devnet.accounts.agent.privateKey),
    chain: context.chain,
    transport: http(devnet.rpcUrl),
  });
  for (const market of ["cro-above-0.10-dec31", "cro-range-dec31"]) {
    const hash = await agentWallet.writeContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [requireMarket(context, market).fpmm, maxUint256],
    });
    await context.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  }
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const NAME = "cro-above-0.10-dec31";
const agent = () => devnet.accounts.agent.address;
const rpc = (method: string, params: unknown[] = []) =>
  context.publicClient.request({ method: method as never, params: params as never });
const nonce = () => context.publicClient.getTransactionCount({ address: agent() });
async function balances(): Promise<{ usdc: bigint; yes: bigint; no: bigint }> {
  const market = requireMarket(context, NAME);
  const [state, usdc] = await Promise.all([
    readMarketState(context, { market, owner: agent() }),
    context.publicClient.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [agent()],
    }),
  ]);
  const [yes, no] = state.ownerShares ?? [];
  return { usdc, yes: yes ?? 0n, no: no ?? 0n };
}
/** Every FPMMBuy the agent ever made in the market. */
async function buysOnChain(): Promise<bigint[]> {
  const logs = await context.publicClient.getLogs({
    address: requireMarket(context, NAME).fpmm,
    fromBlock: 0n,
  });
  return parseEventLogs({ abi: fpmmAbi, eventName: "FPMMBuy", logs })
    .filter((log) => log.args.buyer.toLowerCase() === agent().toLowerCase())
    .map((log) => log.args.outcomeTokensBought);
}

describe("buyOutcome exactly once", () => {
  test("behavior: a crash between the bet's broadcast and its record still moves money once", async () => {
    const fpmm = requireMarket(context, NAME).fpmm;
    const expected = await context.publicClient.readContract({
      address: fpmm,
      abi: fpmmAbi,
      functionName: "calcBuyAmount",
      args: [4_000_000n, 0n],
    });
    const before = await balances();
    const buysBefore = (await buysOnChain()).length;

    // Blocks only when asked: the child broadcasts the bet, then waits for a receipt that cannot come.
    await rpc("evm_setAutomine", [false]);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./buyInChild.ts", import.meta.url)),
        db.url as string,
        "bet-crash",
        NAME,
        "yes",
        "4000000",
      ],
      {
        env: { ...process.env, RPC_URL: devnet.rpcUrl, LOG_LEVEL: "silent" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    try {
      // 1. Wait until the bet is recorded AND the node holds it, then kill the child without warning.
      let hash: `0x${string}` | undefined;
      for (let attempt = 0; attempt < 600 && !hash; attempt++) {
        const row = await db.db
          .selectFrom("chain_transactions")
          .select(["hash", "status"])
          .where("step_id", "=", "bet-crash")
          .executeTakeFirst();
        const pending = row
          ? await context.publicClient
              .getTransaction({ hash: row.hash as `0x${string}` })
              .catch(() => undefined)
          : undefined;
        if (pending) hash = row?.hash as `0x${string}`;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(hash, stderr).toBeDefined();
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      // 2. The bet lands after its sender died; the row still says "submitted", nothing recorded.
      expect(await balances()).toEqual(before);
      await rpc("evm_mine");
      await rpc("evm_setAutomine", [true]);
      const afterCrash = await balances();
      expect(afterCrash).toEqual({
        usdc: before.usdc - 4_000_000n,
        yes: before.yes + expected,
        no: before.no,
      });
      const row = await db.db
        .selectFrom("chain_transactions")
        .selectAll()
        .where("step_id", "=", "bet-crash")
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ hash, status: "submitted", kind: "market_buy" });

      // 3. The retried step finds the broadcast bet and records it; no second bet is signed or sent.
      const nonceBefore = await nonce();
      const retry = await buyOutcome(context, db.db, {
        stepId: "bet-crash",
        market: NAME,
        outcome: "yes",
        amount: 4_000_000n,
        slippageBps: 0,
      });
      expect(retry).toMatchObject({ hash, reused: true, sharesBought: expected.toString() });
      expect(await nonce()).toBe(nonceBefore);
      expect(await balances()).toEqual(afterCrash);
      const buys = await buysOnChain();
      expect(buys).toHaveLength(buysBefore + 1);
      expect(buys.at(-1)).toBe(expected);
      const recorded = await db.db
        .selectFrom("chain_transactions")
        .selectAll()
        .where("step_id", "=", "bet-crash")
        .execute();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ status: "confirmed" });
      expect(recorded[0]?.details).toMatchObject({ sharesBought: expected.toString() });
    } finally {
      child.kill("SIGKILL");
      await rpc("evm_setAutomine", [true]);
    }
  }, 120_000);

  test("behavior: a bet recorded but never broadcast (crash) is rebroadcast byte-identically, not re-signed", async () => {
    const fpmm = requireMarket(context, NAME).fpmm;
    const expected = await context.publicClient.readContract({
      address: fpmm,
      abi: fpmmAbi,
      functionName: "calcBuyAmount",
      args: [2_000_000n, 1n],
    });
    const txNonce = await context.publicClient.getTransactionCount({
      address: agent(),
      blockTag: "pending",
    });
    const prepared = await context.walletClient.prepareTransactionRequest({
      to: fpmm,
      data: encodeFunctionData({
        abi: fpmmAbi,
        functionName: "buy",
        args: [2_000_000n, 1n, expected],
      }),
      nonce: txNonce,
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
        step_id: "bet-unsent",
        chain_id: devnet.chainId,
        from_address: agent(),
        to_address: fpmm,
        nonce: txNonce,
        kind: "market_buy",
        status: "submitted",
        raw_transaction: raw,
        token: "USDC",
        amount: 2_000_000n,
        details: JSON.stringify({
          market: NAME,
          fpmm,
          outcomeIndex: 1,
          investmentAmount: "2000000",
          expectedShares: expected.toString(),
          minShares: expected.toString(),
        }),
      })
      .execute();
    const before = await balances();
    const result = await buyOutcome(context, db.db, {
      stepId: "bet-unsent",
      market: NAME,
      outcome: "no",
      amount: "2000000",
      slippageBps: 0,
    });
    expect(result).toMatchObject({ hash, reused: true, sharesBought: expected.toString() });
    expect(await balances()).toEqual({
      usdc: before.usdc - 2_000_000n,
      yes: before.yes,
      no: before.no + expected,
    });
    expect(await nonce()).toBe(txNonce + 1);
  });
});

describe("buyOutcome and sellOutcome refusals", () => {
  test("error: more collateral than the wallet holds is refused before sending", async () => {
    const start = await nonce();
    await expect(
      buyOutcome(context, db.db, {
        stepId: "bet-huge",
        market: NAME,
        outcome: "yes",
        amount: 10n ** 15n,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "InsufficientBalanceError", token: "USDC" });
    expect(await nonce()).toBe(start);
  });

  test("error: a floor above what the market maker gives fails in simulation, with a clear error; nothing sent", async () => {
    const expected = await context.publicClient.readContract({
      address: requireMarket(context, NAME).fpmm,
      abi: fpmmAbi,
      functionName: "calcBuyAmount",
      args: [1_000_000n, 0n],
    });
    const start = await nonce();
    const error = await buyOutcome(context, db.db, {
      stepId: "bet-floor",
      market: NAME,
      outcome: "yes",
      amount: 1_000_000n,
      slippageBps: 0,
      minShares: expected + 1n,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "SlippageExceededError" });
    expect((error as Error).message).toMatch(
      new RegExp(`fewer than the minimum ${expected + 1n} shares .*nothing was sent`),
    );
    expect(await nonce()).toBe(start);
    const rows = await db.db
      .selectFrom("chain_transactions")
      .select("hash")
      .where("step_id", "like", "bet-floor%")
      .execute();
    expect(rows).toEqual([]);
  });

  test("error: a step id reused for another bet is a conflict; nothing sent", async () => {
    const start = await nonce();
    await expect(
      buyOutcome(context, db.db, {
        stepId: "bet-unsent",
        market: NAME,
        outcome: "yes",
        amount: 2_000_000n,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "StepConflictError" });
    expect(await nonce()).toBe(start);
  });

  test("error: selling shares the wallet does not hold, or more than it holds, sends nothing", async () => {
    const start = await nonce();
    await expect(
      sellOutcome(context, db.db, {
        stepId: "sell-none",
        market: "cro-range-dec31",
        outcome: 2,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "NoPositionError", kind: "conflict" });
    const { yes } = await balances();
    await expect(
      sellOutcome(context, db.db, {
        stepId: "sell-more",
        market: NAME,
        outcome: "yes",
        shares: yes + 1n,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "InsufficientBalanceError" });
    await expect(
      sellOutcome(context, db.db, {
        stepId: "sell-bad",
        market: NAME,
        outcome: "yes",
        shares: "-3",
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "InvalidAmountError" });
    await expect(
      buyOutcome(context, db.db, {
        stepId: "bet-slip",
        market: NAME,
        outcome: "yes",
        amount: 1n,
        slippageBps: 9_000,
      }),
    ).rejects.toMatchObject({ name: "InvalidAmountError" });
    expect(await nonce()).toBe(start);
  });

  test("behavior: selling part of a position sells at most that many shares", async () => {
    const { yes } = await balances();
    const part = yes / 3n;
    const sale = await sellOutcome(context, db.db, {
      stepId: "sell-part",
      market: NAME,
      outcome: "yes",
      shares: part,
      slippageBps: 100,
    });
    expect(BigInt(sale.sharesSold)).toBeLessThanOrEqual(part);
    expect(BigInt(sale.returnAmount)).toBe((BigInt(sale.quotedReturn) * 9_900n) / 10_000n);
    expect((await balances()).yes).toBe(yes - BigInt(sale.sharesSold));
    const approvals = await context.publicClient.readContract({
      address: devnet.addresses.conditionalTokens,
      abi: conditionalTokensAbi,
      functionName: "isApprovedForAll",
      args: [agent(), requireMarket(context, NAME).fpmm],
    });
    expect(approvals).toBe(true);
  });

  test("error: only the devnet's oracle is played, never on Cronos", async () => {
    const cronos = createChainContext({
      network: "cronos",
      rpcUrl: "http://127.0.0.1:9",
      privateKey: `0x${"22".repeat(32)}`,
    });
    await expect(resolveMarket(cronos, { market: NAME, outcome: "yes" })).rejects.toMatchObject({
      name: "MarketResolutionError",
      kind: "refused",
    });
  });
});
