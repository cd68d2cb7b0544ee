import { getChainContext } from "../../lib/chain/clients.js";
import { endpoint } from "../../lib/http/index.js";
import { listMarkets } from "../../lib/markets/listMarkets.js";
import { readingChain } from "../../lib/markets/readingChain.js";
import { listMarketsQuery, marketListSchema } from "../../lib/markets/schemas.js";

/** GET /api/markets — the network's prediction markets: name, question, outcomes, prices, liquidity, status. */
export const GET = endpoint(
  {
    route: "/api/markets",
    method: "GET",
    operationId: "listMarkets",
    summary: "Prediction markets: name, question, outcomes, prices, liquidity, status",
    description:
      "Gnosis Conditional Tokens markets with fixed-product market makers. Prices come from the pools. Answers 400 where no deployment is known on the network.",
    tags: ["markets"],
    auth: "any",
    query: listMarketsQuery,
    success: { status: 200, description: "The markets", schema: marketListSchema },
    responses: { 503: "The chain RPC did not answer" },
  },
  async ({ query }) => {
    const context = getChainContext();
    const markets = await readingChain(() => listMarkets(context, query));
    return { network: context.network, chainId: context.chain.id, markets };
  },
);
