import type { ChainContext } from "../chain/clients.js";
import { type Market, toMarket } from "./getMarket.js";
import { readMarketState } from "./readMarketState.js";
import { requirePredictionMarkets } from "./requireMarket.js";

export interface ListMarketsParameters {
  /** Only markets in this status. */
  status?: Market["status"];
  blockNumber?: bigint;
}

/**
 * Every market the network's registry lists, with prices from the market makers' pools, liquidity
 * and status, all read at one block. Throws MarketsUnavailableError where no deployment is known.
 */
export async function listMarkets(
  context: ChainContext,
  parameters: ListMarketsParameters = {},
): Promise<Market[]> {
  const { markets } = requirePredictionMarkets(context);
  const blockNumber =
    parameters.blockNumber ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const all = await Promise.all(
    markets.map(async (market) =>
      toMarket(market, await readMarketState(context, { market, blockNumber })),
    ),
  );
  return parameters.status ? all.filter((market) => market.status === parameters.status) : all;
}
