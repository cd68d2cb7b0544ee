import type { Address } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { marginalPrices } from "./fpmmMath.js";
import { readMarketState } from "./readMarketState.js";
import { requirePredictionMarkets } from "./requireMarket.js";

/** A wallet's shares in one market and what they are worth. Amounts in collateral base units. */
export interface Position {
  market: string;
  id: Address;
  question: string;
  status: "open" | "resolved";
  collateral: string;
  outcomes: {
    index: number;
    outcome: string;
    shares: string;
    /** Open: the marginal price of a whole share; resolved: what a whole share redeems for. */
    price: string | null;
    value: string;
  }[];
  /** Open: the shares at current marginal prices (a sale gets less: fee and price impact). Resolved: the payout. */
  value: string;
  /** What redeeming pays now; null while the market is open. */
  redeemable: string | null;
}

export interface GetPositionsParameters {
  /** Defaults to the agent wallet. */
  owner?: Address;
  blockNumber?: bigint;
}

export interface GetPositionsReturnType {
  owner: Address;
  /** Markets where the owner holds shares of at least one outcome. */
  positions: Position[];
  /** Sums per collateral token (never across tokens). */
  totals: { collateral: string; value: string; redeemable: string }[];
  blockNumber: string;
}

/** Outcome shares per market for a wallet, valued at current prices (or payouts once resolved). */
export async function getPositions(
  context: ChainContext,
  parameters: GetPositionsParameters = {},
): Promise<GetPositionsReturnType> {
  const { markets } = requirePredictionMarkets(context);
  const owner = parameters.owner ?? context.account.address;
  const blockNumber =
    parameters.blockNumber ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const states = await Promise.all(
    markets.map((market) => readMarketState(context, { market, owner, blockNumber })),
  );
  const positions: Position[] = [];
  const totals = new Map<string, { value: bigint; redeemable: bigint }>();
  for (const state of states) {
    const shares = state.ownerShares ?? [];
    if (!shares.some((amount) => amount > 0n)) continue;
    const unit = 10n ** BigInt(state.collateral.decimals);
    const resolved = state.payoutDenominator > 0n;
    const prices = resolved ? undefined : marginalPrices(state.poolBalances, unit);
    const outcomes = state.market.outcomes.map((outcome, index) => {
      const held = shares[index] ?? 0n;
      const numerator = state.payoutNumerators[index] ?? 0n;
      const price = resolved ? (numerator * unit) / state.payoutDenominator : prices?.[index];
      // Resolved: per position exactly as ConditionalTokens pays (floor of stake × num / den).
      const value = resolved
        ? (held * numerator) / state.payoutDenominator
        : price === undefined
          ? 0n
          : (held * price) / unit;
      return {
        index,
        outcome,
        shares: held.toString(),
        price: price === undefined ? null : price.toString(),
        value,
      };
    });
    const value = outcomes.reduce((sum, outcome) => sum + outcome.value, 0n);
    const total = totals.get(state.collateral.symbol) ?? { value: 0n, redeemable: 0n };
    total.value += value;
    if (resolved) total.redeemable += value;
    totals.set(state.collateral.symbol, total);
    positions.push({
      market: state.market.name,
      id: state.market.fpmm,
      question: state.market.question,
      status: resolved ? "resolved" : "open",
      collateral: state.collateral.symbol,
      outcomes: outcomes.map((outcome) => ({ ...outcome, value: outcome.value.toString() })),
      value: value.toString(),
      redeemable: resolved ? value.toString() : null,
    });
  }
  return {
    owner,
    positions,
    totals: [...totals].map(([collateral, total]) => ({
      collateral,
      value: total.value.toString(),
      redeemable: total.redeemable.toString(),
    })),
    blockNumber: blockNumber.toString(),
  };
}
