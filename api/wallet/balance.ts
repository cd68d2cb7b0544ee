import { getChainContext } from "../../lib/chain/clients.js";
import { UnknownTokenError } from "../../lib/chain/errors.js";
import { getBalances } from "../../lib/chain/getBalances.js";
import { walletBalanceResponse } from "../../lib/chain/responses.js";
import { walletBalanceQuery } from "../../lib/chain/schemas.js";
import { ClientError, ServiceUnavailableError } from "../../lib/errors/index.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/wallet/balance?tokens=CRO,USDC — the agent wallet's balances (base units and formatted). */
export const GET = endpoint(
  {
    route: "/api/wallet/balance",
    method: "GET",
    operationId: "getWalletBalance",
    summary: "The agent wallet's balances, in base units and formatted",
    tags: ["wallet"],
    auth: "any",
    query: walletBalanceQuery,
    success: { status: 200, description: "Balances per token", schema: walletBalanceResponse },
    responses: { 503: "The chain RPC did not answer" },
  },
  async ({ query }) => {
    const context = getChainContext();
    try {
      const result = await getBalances(context, { tokens: query.tokens });
      return { network: context.network, chainId: context.chain.id, ...result };
    } catch (error) {
      // An unknown token is a bad value of the tokens query field; anything else is the RPC.
      if (error instanceof UnknownTokenError)
        throw new ClientError("validation_failed", error.message);
      throw new ServiceUnavailableError("The chain RPC did not answer", { cause: error });
    }
  },
);
