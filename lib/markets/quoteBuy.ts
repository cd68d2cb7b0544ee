import type { Address } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { toBaseUnits } from "../chain/units.js";
import { fpmmAbi } from "./abis.js";
import { MarketResolvedError } from "./errors.js";
import { FPMM_ONE, marginalPrices } from "./fpmmMath.js";
import { readMarketState } from "./readMarketState.js";
import { requireMarket, requireOutcome } from "./requireMarket.js";
import { lessSlippage, requireSlippageBps } from "./slippage.js";

export interface QuoteBuyParameters {
  /** Short name, market maker address or condition id. */
  market: string;
  /** Outcome label ("yes") or index. */
  outcome: string | number;
  /** Collateral to spend, in base units (fee included). */
  amount: bigint | string;
  /** Tolerated shortfall in shares against the quote, in basis points. */
  slippageBps: number;
  blockNumber?: bigint;
}

export interface QuoteBuyReturnType {
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  outcome: string;
  /** Collateral symbol; every amount below is in its base units (shares use the same decimals). */
  collateral: string;
  investmentAmount: string;
  /** Part of the investment kept by the market maker as its fee. */
  feeAmount: string;
  /** Shares the market maker gives for the investment now (its calcBuyAmount). */
  expectedShares: string;
  /** The buy's minOutcomeTokensToBuy: expected shares less slippage. */
  minShares: string;
  /** Marginal price of one whole share before the buy. */
  priceBefore: string;
  /** Investment per whole share received. */
  averagePrice: string;
  blockNumber: string;
}

/** Quotes buying outcome shares with collateral: calcBuyAmount on chain, minimum after slippage. */
export async function quoteBuy(
  context: ChainContext,
  parameters: QuoteBuyParameters,
): Promise<QuoteBuyReturnType> {
  const market = requireMarket(context, parameters.market);
  const outcomeIndex = requireOutcome(market, parameters.outcome);
  const investmentAmount = toBaseUnits(parameters.amount);
  const slippageBps = requireSlippageBps(parameters.slippageBps);
  const blockNumber =
    parameters.blockNumber ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const state = await readMarketState(context, { market, blockNumber });
  if (state.payoutDenominator > 0n) {
    throw new MarketResolvedError(`Market ${market.name} is resolved; it no longer trades`, {
      metaMessages: ["Redeem its positions instead."],
    });
  }
  const expectedShares = await context.publicClient.readContract({
    address: market.fpmm,
    abi: fpmmAbi,
    functionName: "calcBuyAmount",
    args: [investmentAmount, BigInt(outcomeIndex)],
    blockNumber,
  });
  const unit = 10n ** BigInt(state.collateral.decimals);
  const prices = marginalPrices(state.poolBalances, unit);
  return {
    market: market.name,
    fpmm: market.fpmm,
    outcomeIndex,
    outcome: market.outcomes[outcomeIndex] as string,
    collateral: state.collateral.symbol,
    investmentAmount: investmentAmount.toString(),
    feeAmount: ((investmentAmount * state.fee) / FPMM_ONE).toString(),
    expectedShares: expectedShares.toString(),
    minShares: lessSlippage(expectedShares, slippageBps).toString(),
    priceBefore: (prices?.[outcomeIndex] ?? 0n).toString(),
    averagePrice:
      expectedShares > 0n ? ((investmentAmount * unit) / expectedShares).toString() : "0",
    blockNumber: blockNumber.toString(),
  };
}
