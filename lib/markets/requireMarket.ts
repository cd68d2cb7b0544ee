import type { ChainContext } from "../chain/clients.js";
import type { MarketInfo, PredictionMarketsInfo } from "../chain/registry.js";
import { MarketsUnavailableError, UnknownMarketError, UnknownOutcomeError } from "./errors.js";
import { getConditionId } from "./getConditionId.js";

/** The network's Conditional Tokens deployment, or MarketsUnavailableError where none is known. */
export function requirePredictionMarkets(context: ChainContext): PredictionMarketsInfo {
  const deployment = context.registry.predictionMarkets;
  if (!deployment) throw new MarketsUnavailableError(context.network);
  return deployment;
}

/**
 * Finds a market by short name (case-insensitive), market maker address or condition id; throws
 * UnknownMarketError listing the known names otherwise.
 */
export function requireMarket(context: ChainContext, nameOrId: string): MarketInfo {
  const deployment = requirePredictionMarkets(context);
  const wanted = nameOrId.trim().toLowerCase();
  const market = deployment.markets.find(
    (candidate) =>
      candidate.name.toLowerCase() === wanted ||
      candidate.fpmm.toLowerCase() === wanted ||
      marketConditionId(candidate).toLowerCase() === wanted,
  );
  if (!market) {
    throw new UnknownMarketError(`Unknown market "${nameOrId}" on ${context.network}`, {
      metaMessages: [
        `Known markets: ${deployment.markets.map((known) => known.name).join(", ") || "none"}`,
      ],
    });
  }
  return market;
}

/** The market's outcome index from a label ("yes", case-insensitive) or an index (0, "1"). */
export function requireOutcome(market: MarketInfo, outcome: string | number): number {
  const text = String(outcome).trim();
  const byLabel = market.outcomes.findIndex((label) => label.toLowerCase() === text.toLowerCase());
  if (byLabel >= 0) return byLabel;
  if (/^\d+$/.test(text) && Number(text) < market.outcomes.length) return Number(text);
  throw new UnknownOutcomeError(`Market ${market.name} has no outcome "${text}"`, {
    metaMessages: [`Outcomes: ${market.outcomes.join(", ")}`],
  });
}

/** The condition a market trades: keccak256(oracle, questionId, outcome count). */
export function marketConditionId(market: MarketInfo): `0x${string}` {
  return getConditionId({
    oracle: market.oracle,
    questionId: market.questionId,
    outcomeSlotCount: market.outcomes.length,
  });
}
