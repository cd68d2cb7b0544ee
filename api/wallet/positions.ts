import { getChainContext } from "../../lib/chain/clients.js";
import { endpoint } from "../../lib/http/index.js";
import { getPositions } from "../../lib/markets/getPositions.js";
import { readingChain } from "../../lib/markets/readingChain.js";
import { positionsSchema } from "../../lib/markets/schemas.js";

/** GET /api/wallet/positions — the agent wallet's outcome shares per market, valued at current prices. */
export const GET = endpoint(
  {
    route: "/api/wallet/positions",
    method: "GET",
    operationId: "getWalletPositions",
    summary: "The agent wallet's prediction-market shares per market, valued at current prices",
    description:
      "Open markets are valued at the pools' marginal prices (a sale gets less: fee and price impact); resolved markets at what redeeming pays.",
    tags: ["wallet", "markets"],
    auth: "any",
    success: { status: 200, description: "Positions per market", schema: positionsSchema },
    responses: { 503: "The chain RPC did not answer" },
  },
  async () => {
    const context = getChainContext();
    const positions = await readingChain(() => getPositions(context));
    return { network: context.network, chainId: context.chain.id, ...positions };
  },
);
