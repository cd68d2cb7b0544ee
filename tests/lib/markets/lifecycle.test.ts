import { erc20Abi } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { conditionalTokensAbi, fpmmAbi } from "../../../lib/markets/abis.js";
import { buyOutcome } from "../../../lib/markets/buyOutcome.js";
import { getMarket } from "../../../lib/markets/getMarket.js";
import { getPositions } from "../../../lib/markets/getPositions.js";
import { readMarketState } from "../../../lib/markets/readMarketState.js";
import { redeemPositions } from "../../../lib/markets/redeemPositions.js";
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
/** The agent's shares of every outcome, straight from ConditionalTokens. */
async function shares(name: string): Promise<bigint[]> {
  const market = requireMarket(context, name);
  const state = await readMarketState(context, { market, owner: agent() });
  const direct = await context.publicClient.readContract({
    address: devnet.addresses.conditionalTokens,
    abi: conditionalTokensAbi,
    functionName: "balanceOfBatch",
    args: [state.positionIds.map(agent), [...state.positionIds]],
  });
  expect(state.ownerShares).toEqual(direct);
  return [...direct];
}
const calc = (
  fpmm: `0x${string}`,
  fn: "calcBuyAmount" | "calcSellAmount",
  amount: bigint,
  index: number,
) =>
  context.publicClient.readContract({
    address: fpmm,
    abi: fpmmAbi,
    functionName: fn,
    args: [amount, BigInt(index)],
  });

const NAME = "cro-above-0.10-dec31";

describe("prediction market lifecycle on the real contracts", () => {
  test("behavior: bet, sell, bet, resolve, redeem — outcome-token and collateral balances exact; retries send nothing", async () => {
    const market = requireMarket(context, NAME);
    const usdc0 = await usdc();
    const gasToken = () => context.publicClient.getBalance({ address: context.account.address });
    const cro0 = await gasToken();

    // 1. Bet 5 USDC on Yes: pays exactly 5 USDC and receives exactly calcBuyAmount shares.
    const expectedYes = await calc(market.fpmm, "calcBuyAmount", 5_000_000n, 0);
    const bet = await buyOutcome(context, db.db, {
      stepId: "bet-1",
      runId: "run-m",
      market: NAME,
      outcome: "yes",
      amount: "5000000",
      slippageBps: 50,
    });
    expect(bet).toMatchObject({
      outcome: "Yes",
      outcomeIndex: 0,
      collateral: "USDC",
      investmentAmount: "5000000",
      feeAmount: "50000",
      sharesBought: expectedYes.toString(),
      expectedShares: expectedYes.toString(),
      minShares: ((expectedYes * 9_950n) / 10_000n).toString(),
      reused: false,
    });
    expect(bet.approvalHash).toMatch(/^0x/);
    expect(await usdc()).toBe(usdc0 - 5_000_000n);
    // The gas reported is all the native the wallet paid: the approval's and the buy's.
    const croAfterBet = await gasToken();
    expect(cro0 - croAfterBet).toBe(BigInt(bet.gasCost));
    expect(await shares(NAME)).toEqual([expectedYes, 0n]);

    const nonceAfterBet = await nonce();
    const betAgain = await buyOutcome(context, db.db, {
      stepId: "bet-1",
      market: NAME,
      outcome: 0,
      amount: 5_000_000n,
      slippageBps: 50,
    });
    expect(betAgain).toMatchObject({
      hash: bet.hash,
      sharesBought: bet.sharesBought,
      feeAmount: bet.feeAmount,
      // A retry reports the approval's gas too, from the row the first attempt recorded.
      gasCost: bet.gasCost,
      reused: true,
    });
    expect(await nonce()).toBe(nonceAfterBet);
    expect(await usdc()).toBe(usdc0 - 5_000_000n);
    const rows = await db.db
      .selectFrom("chain_transactions")
      .selectAll()
      .where("step_id", "in", ["bet-1", "bet-1:approve"])
      .orderBy("nonce")
      .execute();
    expect(rows.map((row) => [row.kind, row.status])).toEqual([
      ["approve", "confirmed"],
      ["market_buy", "confirmed"],
    ]);
    expect(rows[1]).toMatchObject({ run_id: "run-m", token: "USDC", amount: "5000000" });
    expect(rows[1]?.details).toMatchObject({
      sharesBought: bet.sharesBought,
      feeAmount: bet.feeAmount,
    });

    // 2. Sell all Yes: receives exactly the returnAmount asked, gives up exactly calcSellAmount of it.
    const beforeSell = await readMarketState(context, { market });
    const sale = await sellOutcome(context, db.db, {
      stepId: "sell-1",
      market: NAME,
      outcome: "Yes",
      slippageBps: 0,
    });
    // The expected shares: calcSellAmount of the asked return on the pool the sale traded against.
    const soldOnOldPool = await context.publicClient.readContract({
      address: market.fpmm,
      abi: fpmmAbi,
      functionName: "calcSellAmount",
      args: [BigInt(sale.returnAmount), 0n],
      blockNumber: beforeSell.blockNumber,
    });
    expect(soldOnOldPool).toBeGreaterThan(0n);
    expect(sale).toMatchObject({
      outcome: "Yes",
      maxShares: expectedYes.toString(),
      returnAmount: sale.quotedReturn,
      sharesSold: soldOnOldPool.toString(),
      expectedSharesSold: soldOnOldPool.toString(),
      reused: false,
    });
    expect(sale.approvalHash).toMatch(/^0x/);
    expect(croAfterBet - (await gasToken())).toBe(BigInt(sale.gasCost));
    // The most the shares can fetch: one unit more would need more shares than held.
    expect(
      await context.publicClient.readContract({
        address: market.fpmm,
        abi: fpmmAbi,
        functionName: "calcSellAmount",
        args: [BigInt(sale.returnAmount) + 1n, 0n],
        blockNumber: beforeSell.blockNumber,
      }),
    ).toBeGreaterThan(expectedYes);
    // 12.3-odd shares bought at ~0.40 come back at a bit less than the 5 USDC (two fees, impact).
    expect(BigInt(sale.returnAmount)).toBeGreaterThan(4_800_000n);
    expect(BigInt(sale.returnAmount)).toBeLessThan(5_000_000n);
    const usdcAfterSale = usdc0 - 5_000_000n + BigInt(sale.returnAmount);
    expect(await usdc()).toBe(usdcAfterSale);
    const yesDust = expectedYes - soldOnOldPool;
    expect(await shares(NAME)).toEqual([yesDust, 0n]);

    const nonceAfterSale = await nonce();
    expect(
      await sellOutcome(context, db.db, {
        stepId: "sell-1",
        market: NAME,
        outcome: "yes",
        slippageBps: 0,
      }),
    ).toMatchObject({ hash: sale.hash, returnAmount: sale.returnAmount, reused: true });
    expect(await nonce()).toBe(nonceAfterSale);

    // 3. Bet 3 USDC on No (the collateral approval is per bet; the share approval stays).
    const expectedNo = await calc(market.fpmm, "calcBuyAmount", 3_000_000n, 1);
    const betNo = await buyOutcome(context, db.db, {
      stepId: "bet-2",
      market: NAME,
      outcome: "No",
      amount: 3_000_000n,
      slippageBps: 0,
    });
    expect(betNo.sharesBought).toBe(expectedNo.toString());
    expect(await usdc()).toBe(usdcAfterSale - 3_000_000n);
    expect(await shares(NAME)).toEqual([yesDust, expectedNo]);

    const open = await getPositions(context);
    const position = open.positions.find((candidate) => candidate.market === NAME);
    const marketNow = await getMarket(context, { market: NAME });
    const [yesPrice, noPrice] = marketNow.outcomes.map((outcome) => BigInt(outcome.price ?? "0"));
    expect(position).toMatchObject({
      status: "open",
      redeemable: null,
      value: (
        (yesDust * (yesPrice as bigint)) / 1_000_000n +
        (expectedNo * (noPrice as bigint)) / 1_000_000n
      ).toString(),
    });
    expect(open.positions.map((candidate) => candidate.market)).toEqual([NAME]);

    // 4. Redeeming before the oracle reports is refused, nothing sent.
    await expect(
      redeemPositions(context, db.db, { stepId: "redeem-early", market: NAME }),
    ).rejects.toMatchObject({
      name: "MarketNotResolvedError",
      kind: "conflict",
    });

    // 5. The devnet oracle resolves "No"; the same report again is a no-op, a different one refused.
    const resolution = await resolveMarket(context, { market: NAME, outcome: "no" });
    expect(resolution).toMatchObject({ payoutNumerators: ["0", "1"], payoutDenominator: "1" });
    expect(resolution.hash).toMatch(/^0x/);
    expect(await resolveMarket(context, { market: NAME, outcome: "No" })).toMatchObject({
      hash: null,
    });
    await expect(resolveMarket(context, { market: NAME, outcome: "Yes" })).rejects.toMatchObject({
      name: "MarketResolutionError",
      kind: "conflict",
    });
    expect(await getMarket(context, { market: NAME })).toMatchObject({
      status: "resolved",
      resolution: { payoutNumerators: ["0", "1"], payoutDenominator: "1" },
      outcomes: [{ payout: "0" }, { payout: "1000000" }],
    });
    const resolved = await getPositions(context);
    expect(resolved.positions[0]).toMatchObject({
      status: "resolved",
      value: expectedNo.toString(),
      redeemable: expectedNo.toString(),
    });
    expect(resolved.totals).toEqual([
      { collateral: "USDC", value: expectedNo.toString(), redeemable: expectedNo.toString() },
    ]);

    // A resolved market no longer trades.
    await expect(
      buyOutcome(context, db.db, {
        stepId: "bet-late",
        market: NAME,
        outcome: "yes",
        amount: 1_000_000n,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({ name: "MarketResolvedError", kind: "conflict" });

    // 6. Redeem: No pays 1 per share, the Yes dust 0; every share is burnt.
    const redemption = await redeemPositions(context, db.db, { stepId: "redeem-1", market: NAME });
    expect(redemption).toMatchObject({
      payout: expectedNo.toString(),
      expectedPayout: expectedNo.toString(),
      redeemed: [
        { index: 0, outcome: "Yes", shares: yesDust.toString() },
        { index: 1, outcome: "No", shares: expectedNo.toString() },
      ],
      reused: false,
    });
    expect(await usdc()).toBe(usdcAfterSale - 3_000_000n + expectedNo);
    expect(await shares(NAME)).toEqual([0n, 0n]);
    const nonceAfterRedeem = await nonce();
    expect(
      await redeemPositions(context, db.db, { stepId: "redeem-1", market: NAME }),
    ).toMatchObject({
      hash: redemption.hash,
      payout: redemption.payout,
      reused: true,
    });
    expect(await nonce()).toBe(nonceAfterRedeem);
    await expect(
      redeemPositions(context, db.db, { stepId: "redeem-2", market: NAME }),
    ).rejects.toMatchObject({
      name: "NoPositionError",
    });
    expect((await getPositions(context)).positions).toEqual([]);
  });

  test("behavior: a three-outcome market resolved as a split pays floor(shares × numerator / denominator) per outcome", async () => {
    const name = "cro-range-dec31";
    const market = requireMarket(context, name);
    const amounts = [2_000_000n, 3_000_000n, 1_000_000n];
    const bought: bigint[] = [];
    for (const [index, amount] of amounts.entries()) {
      const expected = await calc(market.fpmm, "calcBuyAmount", amount, index);
      const result = await buyOutcome(context, db.db, {
        stepId: `range-${index}`,
        market: name,
        outcome: index,
        amount,
        slippageBps: 0,
      });
      expect(result.sharesBought).toBe(expected.toString());
      bought.push(expected);
    }
    expect(await shares(name)).toEqual(bought);
    await resolveMarket(context, { market: name, payouts: [0, 1, 2] });
    const before = await usdc();
    const redemption = await redeemPositions(context, db.db, {
      stepId: "range-redeem",
      market: name,
    });
    const expected = ((bought[1] as bigint) * 1n) / 3n + ((bought[2] as bigint) * 2n) / 3n;
    expect(redemption.payout).toBe(expected.toString());
    expect(await usdc()).toBe(before + expected);
    expect(await shares(name)).toEqual([0n, 0n, 0n]);
  });
});
