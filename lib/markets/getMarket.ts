import type { Address, Hex } from "viem";
import type { ChainContext } from "../chain/clients.js";
import type { MarketInfo } from "../chain/registry.js";
import { FPMM_ONE, marginalPrices, poolValue } from "./fpmmMath.js";
import { type MarketState, readMarketState } from "./readMarketState.js";
import { requireMarket } from "./requireMarket.js";

/** One outcome of a market as clients see it. Amounts are base units of the collateral. */
export interface MarketOutcome {
  index: number;
  label: string;
  /** Marginal price of one whole share (10^decimals share units); null while the pool is unfunded. */
  price: string | null;
  /** The price as a probability, rounded to 4 decimals ("0.4000"). */
  probability: string | null;
  /** The market maker's balance of this outcome (share units). */
  poolBalance: string;
  /** After resolution: what one whole share redeems for. */
  payout: string | null;
}

/** A prediction market: what it asks, its outcomes and prices, liquidity and status. */
export interface Market {
  /** The market maker's address (stable id; the name works too). */
  id: Address;
  name: string;
  question: string;
  status: "open" | "resolved";
  closesAt: string;
  outcomes: MarketOutcome[];
  collateral: { symbol: string; address: Address; decimals: number };
  /** The pool's outcome shares valued at current prices (collateral base units). */
  liquidity: string;
  /** Trading fee in basis points. */
  feeBps: number;
  conditionId: Hex;
  questionId: Hex;
  oracle: Address;
  /** The oracle's report once resolved: outcome i pays numerators[i] / denominator per share. */
  resolution: { payoutNumerators: string[]; payoutDenominator: string } | null;
  blockNumber: string;
}

export interface GetMarketParameters {
  /** Short name, market maker address or condition id. */
  market: string;
  blockNumber?: bigint;
}

/** One market by name or id, read from the chain (throws UnknownMarketError / MarketsUnavailableError). */
export async function getMarket(
  context: ChainContext,
  parameters: GetMarketParameters,
): Promise<Market> {
  const market = requireMarket(context, parameters.market);
  const state = await readMarketState(context, {
    market,
    blockNumber: parameters.blockNumber,
  });
  return toMarket(market, state);
}

/** Formats a market state for clients (shared by listMarkets). */
export function toMarket(market: MarketInfo, state: MarketState): Market {
  const unit = 10n ** BigInt(state.collateral.decimals);
  const prices = marginalPrices(state.poolBalances, unit);
  const resolved = state.payoutDenominator > 0n;
  const payouts = resolved
    ? state.payoutNumerators.map((numerator) => (numerator * unit) / state.payoutDenominator)
    : undefined;
  const liquidity = poolValue(state.poolBalances);
  return {
    id: market.fpmm,
    name: market.name,
    question: market.question,
    status: resolved ? "resolved" : "open",
    closesAt: market.closesAt,
    outcomes: market.outcomes.map((label, index) => {
      const price = prices?.[index];
      return {
        index,
        label,
        price: price === undefined ? null : price.toString(),
        probability: price === undefined ? null : formatProbability(price, unit),
        poolBalance: (state.poolBalances[index] ?? 0n).toString(),
        payout: payouts ? (payouts[index] as bigint).toString() : null,
      };
    }),
    collateral: {
      symbol: state.collateral.symbol,
      address: state.collateral.address,
      decimals: state.collateral.decimals,
    },
    liquidity: liquidity.toString(),
    feeBps: Number((state.fee * 10_000n) / FPMM_ONE),
    conditionId: state.conditionId,
    questionId: market.questionId,
    oracle: market.oracle,
    resolution: resolved
      ? {
          payoutNumerators: state.payoutNumerators.map(String),
          payoutDenominator: state.payoutDenominator.toString(),
        }
      : null,
    blockNumber: state.blockNumber.toString(),
  };
}

function formatProbability(price: bigint, unit: bigint): string {
  const basisPoints = (price * 10_000n + unit / 2n) / unit;
  return `${basisPoints / 10_000n}.${(basisPoints % 10_000n).toString().padStart(4, "0")}`;
}
