import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { devnetMarkets } from "../../../lib/chain/devnet/devnetMarkets.js";
import { fpmmAbi } from "../../../lib/markets/abis.js";
import {
  calcBuyAmount,
  calcSellAmount,
  marginalPrices,
  maxSellReturn,
} from "../../../lib/markets/fpmmMath.js";
import { readMarketState } from "../../../lib/markets/readMarketState.js";
import { requireMarket } from "../../../lib/markets/requireMarket.js";
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

const amounts = [1n, 999n, 1_000_000n, 5_000_000n, 123_456_789n, 400_000_000n];

describe("fpmmMath", () => {
  test("behavior: calcBuyAmount and calcSellAmount match the contract to the unit, on 2 and 3 outcomes", async () => {
    for (const fixture of devnetMarkets()) {
      const market = requireMarket(context, fixture.name);
      const state = await readMarketState(context, { market });
      for (let outcomeIndex = 0; outcomeIndex < market.outcomes.length; outcomeIndex++) {
        const pool = { poolBalances: state.poolBalances, fee: state.fee, outcomeIndex };
        for (const amount of amounts) {
          const onChainBuy = await context.publicClient.readContract({
            address: market.fpmm,
            abi: fpmmAbi,
            functionName: "calcBuyAmount",
            args: [amount, BigInt(outcomeIndex)],
          });
          expect(calcBuyAmount({ ...pool, investment: amount })).toBe(onChainBuy);
          const onChainSell = await context.publicClient
            .readContract({
              address: market.fpmm,
              abi: fpmmAbi,
              functionName: "calcSellAmount",
              args: [amount, BigInt(outcomeIndex)],
            })
            .catch(() => undefined);
          expect(calcSellAmount({ ...pool, returnAmount: amount })).toBe(onChainSell);
        }
      }
    }
  });

  test("behavior: maxSellReturn is the largest return the shares cover", async () => {
    const market = requireMarket(context, "cro-above-0.10-dec31");
    const state = await readMarketState(context, { market });
    const pool = { poolBalances: state.poolBalances, fee: state.fee, outcomeIndex: 0 };
    for (const shares of [1n, 10n, 1_000_000n, 9_876_543n, 500_000_000n]) {
      const best = maxSellReturn({ ...pool, shares });
      if (best > 0n) {
        expect(calcSellAmount({ ...pool, returnAmount: best })).toBeLessThanOrEqual(shares);
      }
      const next = calcSellAmount({ ...pool, returnAmount: best + 1n });
      expect(next === undefined || next > shares).toBe(true);
    }
  });

  test("behavior: marginal prices follow the pool and sum to one unit (less rounding)", () => {
    // The cro-above fixture starts at 1000 Yes / 666.666666 No: Yes at 0.40.
    const prices = marginalPrices([1_000_000_000n, 666_666_667n], 1_000_000n);
    expect(prices).toEqual([400_000n, 599_999n]);
    expect(marginalPrices([5n, 5n, 5n], 1_000_000n)).toEqual([333_333n, 333_333n, 333_333n]);
    expect(marginalPrices([0n, 5n], 1_000_000n)).toBeUndefined();
  });
});
