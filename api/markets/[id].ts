import { getChainContext } from "../../lib/chain/clients.js";
import { endpoint } from "../../lib/http/index.js";
import { getMarket } from "../../lib/markets/getMarket.js";
import { readingChain } from "../../lib/markets/readingChain.js";
import { marketIdParam, marketSchema } from "../../lib/markets/schemas.js";

/** GET /api/markets/{id} — one prediction market by short name, market maker address or condition id. */
export const GET = endpoint(
  {
    route: "/api/markets/[id]",
    method: "GET",
    operationId: "getMarket",
    summary: "One prediction market by short name, market maker address or condition id",
    tags: ["markets"],
    auth: "any",
    params: { id: marketIdParam },
    success: { status: 200, description: "The market", schema: marketSchema },
    responses: { 503: "The chain RPC did not answer" },
  },
  async ({ params }) => {
    const context = getChainContext();
    return await readingChain(() => getMarket(context, { market: params.id }));
  },
);
