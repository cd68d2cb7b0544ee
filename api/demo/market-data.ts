import { endpoint, json } from "../../lib/http/index.js";
import { demoMarketDataResponse } from "../../lib/http/operationResponses.js";
import { servePaidRequest } from "../../lib/x402/createPaidRoute.js";
import { readMarketData } from "../../lib/x402/readMarketData.js";

/** Demo paid API: the live CRO/USDC pool price for 0.10 USDC via x402 (public, no API key). */
export const GET = endpoint(
  {
    route: "/api/demo/market-data",
    method: "GET",
    operationId: "getDemoMarketData",
    summary: "Demo paid API: CRO/USDC pool price for 0.10 USDC",
    tags: ["demo"],
    auth: "x402",
    rateLimit: "public:demo",
    success: {
      status: 200,
      description: "Pool price and reserves; PAYMENT-RESPONSE header carries the settlement",
      schema: demoMarketDataResponse,
    },
  },
  ({ request, route }) =>
    servePaidRequest(request, {
      path: route,
      amount: "100000",
      description: "CRO/USDC price and pool reserves, read from the chain per request",
      handler: async () =>
        json(await readMarketData(), { headers: { "cache-control": "no-store" } }),
    }),
);
