import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { devnetMarkets, devnetOracle } from "../../../lib/chain/devnet/devnetMarkets.js";
import { conditionalTokensAbi } from "../../../lib/markets/abis.js";
import { getMarket } from "../../../lib/markets/getMarket.js";
import { listMarkets } from "../../../lib/markets/listMarkets.js";
import { quoteBuy } from "../../../lib/markets/quoteBuy.js";
import { marketConditionId, requireMarket } from "../../../lib/markets/requireMarket.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let context: ChainContext;
beforeAll(async () => {
  devnet = await startTestDevnet();
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await devnet?.stop();
});

describe("listMarkets", () => {
  test("behavior: lists the devnet markets with prices from the pools, liquidity and status", async () => {
    const markets = await listMarkets(context);
    expect(markets.map((market) => market.name)).toEqual([
      "cro-above-0.10-dec31",
      "cro-range-dec31",
    ]);
    const [croAbove, croRange] = markets;
    // Funded with 1000 USDC at hint [3, 2]: the pool keeps 1000 Yes and 666.666666 No.
    expect(croAbove).toMatchObject({
      id: devnetMarkets()[0]?.fpmm,
      question: "Will CRO/USDC on the devnet pool close above 0.10 on 2026-12-31?",
      status: "open",
      closesAt: "2026-12-31T23:59:59Z",
      collateral: { symbol: "USDC", address: devnet.addresses.usdc, decimals: 6 },
      feeBps: 100,
      oracle: devnetOracle(),
      resolution: null,
      outcomes: [
        {
          index: 0,
          label: "Yes",
          price: "399999",
          probability: "0.4000",
          poolBalance: "1000000000",
          payout: null,
        },
        {
          index: 1,
          label: "No",
          price: "600000",
          probability: "0.6000",
          poolBalance: "666666666",
          payout: null,
        },
      ],
    });
    // Σ balance × price = 2 · 1000 · 666.666666 / 1666.666666 ≈ 800 USDC: the 1000 funded less
    // the 333.33 No shares (worth 200) sent back to the funder.
    expect(croAbove?.liquidity).toBe(
      ((2n * 1_000_000_000n * 666_666_666n) / 1_666_666_666n).toString(),
    );
    expect(croRange?.outcomes.map((outcome) => outcome.price)).toEqual([
      "333333",
      "333333",
      "333333",
    ]);
    expect(croRange?.liquidity).toBe("600000000");
  });

  test("behavior: the condition id computed off chain is the contract's", async () => {
    for (const market of devnetMarkets()) {
      const onChain = await context.publicClient.readContract({
        address: devnet.addresses.conditionalTokens,
        abi: conditionalTokensAbi,
        functionName: "getConditionId",
        args: [devnetOracle(), market.questionId, BigInt(market.outcomes.length)],
      });
      const found = await getMarket(context, { market: market.name });
      expect(found.conditionId).toBe(onChain);
      expect(marketConditionId(requireMarket(context, market.name))).toBe(onChain);
    }
  });

  test("args: a market is found by name (any case), market maker address or condition id", async () => {
    const byName = await getMarket(context, { market: "CRO-ABOVE-0.10-DEC31" });
    const byAddress = await getMarket(context, { market: byName.id.toLowerCase() });
    const byCondition = await getMarket(context, { market: byName.conditionId });
    expect(byAddress.name).toBe(byName.name);
    expect(byCondition.name).toBe(byName.name);
  });

  test("behavior: quoteBuy takes calcBuyAmount and applies slippage to the shares", async () => {
    const quote = await quoteBuy(context, {
      market: "cro-above-0.10-dec31",
      outcome: "yes",
      amount: 5_000_000n,
      slippageBps: 100,
    });
    expect(quote).toMatchObject({
      outcomeIndex: 0,
      outcome: "Yes",
      collateral: "USDC",
      investmentAmount: "5000000",
      feeAmount: "50000",
      priceBefore: "399999",
    });
    expect(BigInt(quote.minShares)).toBe((BigInt(quote.expectedShares) * 9_900n) / 10_000n);
    // At 0.40 a share, 4.95 USDC after the fee buys a little under 12.375 shares.
    expect(BigInt(quote.expectedShares)).toBeGreaterThan(12_300_000n);
    expect(BigInt(quote.expectedShares)).toBeLessThan(12_375_000n);
  });

  test("error: unknown market and outcome name what exists", async () => {
    await expect(getMarket(context, { market: "moon-by-friday" })).rejects.toMatchObject({
      name: "UnknownMarketError",
      kind: "not_found",
      message: expect.stringContaining("Known markets: cro-above-0.10-dec31, cro-range-dec31"),
    });
    await expect(
      quoteBuy(context, {
        market: "cro-above-0.10-dec31",
        outcome: "maybe",
        amount: 1n,
        slippageBps: 0,
      }),
    ).rejects.toMatchObject({
      name: "UnknownOutcomeError",
      kind: "invalid",
      message: expect.stringContaining("Outcomes: Yes, No"),
    });
  });

  test("error: on Cronos, where no Conditional Tokens deployment is known, markets are not available", async () => {
    const cronos = createChainContext({
      network: "cronos",
      // Never contacted: the refusal comes from the registry, before any RPC.
      rpcUrl: "http://127.0.0.1:9",
      privateKey: `0x${"11".repeat(32)}`,
    });
    for (const call of [
      () => listMarkets(cronos),
      () => getMarket(cronos, { market: "cro-above-0.10-dec31" }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        name: "MarketsUnavailableError",
        kind: "invalid",
        shortMessage: "Prediction markets are not available on cronos",
      });
    }
    expect(cronos.registry.predictionMarkets).toBeUndefined();
    expect(
      createChainContext({ network: "cronos-testnet", privateKey: `0x${"11".repeat(32)}` }).registry
        .predictionMarkets,
    ).toBeUndefined();
  });
});
