import { getChainContext } from "../../lib/chain/clients.js";
import { endpoint, json } from "../../lib/http/index.js";
import { demoChainStatsResponse } from "../../lib/http/operationResponses.js";
import { servePaidRequest } from "../../lib/x402/createPaidRoute.js";

/** Demo paid API: the chain's latest block and gas price for 0.05 USDC via x402 (public). */
export const GET = endpoint(
  {
    route: "/api/demo/chain-stats",
    method: "GET",
    operationId: "getDemoChainStats",
    summary: "Demo paid API: latest block and gas price for 0.05 USDC",
    tags: ["demo"],
    auth: "x402",
    rateLimit: "public:demo",
    success: {
      status: 200,
      description: "Block and gas figures; PAYMENT-RESPONSE header carries the settlement",
      schema: demoChainStatsResponse,
    },
  },
  ({ request, route }) =>
    servePaidRequest(request, {
      path: route,
      amount: "50000",
      description: "Latest block, base fee and gas price of the network, read per request",
      handler: async () => {
        const { publicClient, network } = getChainContext();
        const [block, gasPrice] = await Promise.all([
          publicClient.getBlock(),
          publicClient.getGasPrice(),
        ]);
        return json(
          {
            network,
            chainId: publicClient.chain.id,
            blockNumber: block.number.toString(),
            blockHash: block.hash,
            baseFeePerGas: block.baseFeePerGas?.toString() ?? null,
            gasPrice: gasPrice.toString(),
            transactions: block.transactions.length,
            timestamp: new Date(Number(block.timestamp) * 1000).toISOString(),
          },
          { headers: { "cache-control": "no-store" } },
        );
      },
    }),
);
