import type { ChainContext } from "../chain/clients.js";
import type { MarketInfo } from "../chain/registry.js";
import { findMarket, type MarketReference } from "./findMarket.js";
import { type GetPositionsReturnType, getPositions } from "./getPositions.js";
import { type QuoteBuyParameters, type QuoteBuyReturnType, quoteBuy } from "./quoteBuy.js";
import { type QuoteSellParameters, type QuoteSellReturnType, quoteSell } from "./quoteSell.js";

/** What planning a market action reads: the market a command names, quotes and the wallet's positions. */
export interface PlannerMarkets {
  find(reference: MarketReference): MarketInfo;
  quoteBuy(parameters: QuoteBuyParameters): Promise<QuoteBuyReturnType>;
  quoteSell(parameters: QuoteSellParameters): Promise<QuoteSellReturnType>;
  positions(): Promise<GetPositionsReturnType>;
}

/** The planner's market reads, bound to a network's chain context (agent wallet as the owner). */
export function plannerMarkets(chain: ChainContext): PlannerMarkets {
  return {
    find: (reference) => findMarket(chain, reference),
    quoteBuy: (parameters) => quoteBuy(chain, parameters),
    quoteSell: (parameters) => quoteSell(chain, parameters),
    positions: () => getPositions(chain),
  };
}
