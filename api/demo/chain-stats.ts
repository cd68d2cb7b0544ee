import { getChainContext } from "../../lib/chain/clients.js";
import { json } from "../../lib/http/index.js";
import { createPaidRoute } from "../../lib/x402/createPaidRoute.js";

/** Demo paid API: the chain's latest block and gas price for 0.05 USDC via x402 (public). */
export const GET = createPaidRoute({
  path: "/api/demo/chain-stats",
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
});
