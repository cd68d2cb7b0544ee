import { z } from "zod";
import { getChainContext } from "../../chain/clients.js";
import { readMarketData } from "../../x402/readMarketData.js";
import type { PaidMcpTool } from "../paid/servePaidMcpRequest.js";

/** Path of the demo paid MCP server (api/demo/mcp.ts). */
export const DEMO_MCP_PATH = "/api/demo/mcp";

const marketPrice: PaidMcpTool = {
  name: "market_price",
  description: "The live CRO/USDC price and pool reserves, read from the chain.",
  inputSchema: z.object({
    pair: z.enum(["CRO/USDC"]).default("CRO/USDC").describe("The trading pair to price"),
  }),
  amount: "100000",
  handler: async () => ({ ...(await readMarketData()) }),
};

const gasPrice: PaidMcpTool = {
  name: "gas_price",
  description: "The network's current gas price and latest block number.",
  inputSchema: z.object({}),
  amount: "20000",
  handler: async () => {
    const { publicClient, network } = getChainContext();
    const [blockNumber, price] = await Promise.all([
      publicClient.getBlockNumber(),
      publicClient.getGasPrice(),
    ]);
    return {
      network,
      chainId: publicClient.chain.id,
      blockNumber: blockNumber.toString(),
      gasPrice: price.toString(),
    };
  },
};

/** The demo paid MCP server's tools, served next to the demo HTTP resources on the devnet. */
export const demoMcpTools: readonly PaidMcpTool[] = [marketPrice, gasPrice];
