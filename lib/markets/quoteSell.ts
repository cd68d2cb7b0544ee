import type { Address } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { InsufficientBalanceError } from "../chain/errors.js";
import { toBaseUnits } from "../chain/units.js";
import { fpmmAbi } from "./abis.js";
import { MarketMisconfiguredError, MarketResolvedError, NoPositionError } from "./errors.js";
import { FPMM_ONE, marginalPrices, maxSellReturn } from "./fpmmMath.js";
import { readMarketState } from "./readMarketState.js";
import { requireMarket, requireOutcome } from "./requireMarket.js";
import { lessSlippage, requireSlippageBps } from "./slippage.js";

export interface QuoteSellParameters {
  market: string;
  outcome: string | number;
  /** Shares to sell at most, in base units; "all" (the default) sells what the owner holds. */
  shares?: bigint | string | "all";
  /**
   * Tolerance in basis points, taken on the collateral asked for: the sale asks for the quote less
   * slippage and may use up to `shares`, so a pool that moved against it still fills (selling a
   * little less than `shares`), and one that moved further reverts.
   */
  slippageBps: number;
  /** Whose shares (defaults to the agent wallet). */
  owner?: Address;
  blockNumber?: bigint;
}

export interface QuoteSellReturnType {
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  outcome: string;
  collateral: string;
  sharesHeld: string;
  /** The sale's maxOutcomeTokensToSell. */
  maxShares: string;
  /** The most collateral `maxShares` fetch now. */
  quotedReturn: string;
  /** The sale's returnAmount: exactly what the wallet receives if it fills. */
  returnAmount: string;
  /** Shares the market maker takes for returnAmount now (its calcSellAmount). */
  expectedSharesSold: string;
  feeAmount: string;
  priceBefore: string;
  blockNumber: string;
}

/** Quotes selling outcome shares back to the market maker for collateral. */
export async function quoteSell(
  context: ChainContext,
  parameters: QuoteSellParameters,
): Promise<QuoteSellReturnType> {
  const market = requireMarket(context, parameters.market);
  const outcomeIndex = requireOutcome(market, parameters.outcome);
  const slippageBps = requireSlippageBps(parameters.slippageBps);
  const owner = parameters.owner ?? context.account.address;
  const blockNumber =
    parameters.blockNumber ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const state = await readMarketState(context, { market, owner, blockNumber });
  const label = market.outcomes[outcomeIndex] as string;
  if (state.payoutDenominator > 0n) {
    throw new MarketResolvedError(`Market ${market.name} is resolved; it no longer trades`, {
      metaMessages: ["Redeem its positions instead."],
    });
  }
  const held = state.ownerShares?.[outcomeIndex] ?? 0n;
  if (held === 0n) throw new NoPositionError(`No "${label}" shares in ${market.name} to sell`);
  const requested =
    parameters.shares === undefined || parameters.shares === "all"
      ? held
      : toBaseUnits(parameters.shares);
  if (requested > held) {
    throw new InsufficientBalanceError({
      token: `${market.name} "${label}" shares`,
      required: requested,
      available: held,
    });
  }
  const pool = { poolBalances: state.poolBalances, fee: state.fee, outcomeIndex };
  const quotedReturn = maxSellReturn({ ...pool, shares: requested });
  const returnAmount = lessSlippage(quotedReturn, slippageBps);
  if (returnAmount === 0n) {
    throw new NoPositionError(
      `${requested} "${label}" share units of ${market.name} are too few to sell for any collateral`,
    );
  }
  const expectedSharesSold = await context.publicClient.readContract({
    address: market.fpmm,
    abi: fpmmAbi,
    functionName: "calcSellAmount",
    args: [returnAmount, BigInt(outcomeIndex)],
    blockNumber,
  });
  // The local replica of calcSellAmount sized the sale; the contract must agree it fits.
  if (expectedSharesSold > requested) {
    throw new MarketMisconfiguredError(
      `Market ${market.name}: the contract wants ${expectedSharesSold} shares for ${returnAmount}, more than the ${requested} the quote allowed`,
    );
  }
  const unit = 10n ** BigInt(state.collateral.decimals);
  return {
    market: market.name,
    fpmm: market.fpmm,
    outcomeIndex,
    outcome: label,
    collateral: state.collateral.symbol,
    sharesHeld: held.toString(),
    maxShares: requested.toString(),
    quotedReturn: quotedReturn.toString(),
    returnAmount: returnAmount.toString(),
    expectedSharesSold: expectedSharesSold.toString(),
    feeAmount: ((returnAmount * state.fee) / (FPMM_ONE - state.fee)).toString(),
    priceBefore: (marginalPrices(state.poolBalances, unit)?.[outcomeIndex] ?? 0n).toString(),
    blockNumber: blockNumber.toString(),
  };
}
