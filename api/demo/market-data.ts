import { json } from "../../lib/http/index.js";
import { createPaidRoute } from "../../lib/x402/createPaidRoute.js";
import { readMarketData } from "../../lib/x402/readMarketData.js";

/** Demo paid API: the live CRO/USDC pool price for 0.10 USDC via x402 (public, no API key). */
export const GET = createPaidRoute({
  path: "/api/demo/market-data",
  amount: "100000",
  description: "CRO/USDC price and pool reserves, read from the chain per request",
  handler: async () => json(await readMarketData(), { headers: { "cache-control": "no-store" } }),
});
