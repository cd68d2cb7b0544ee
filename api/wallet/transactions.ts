import { getChainContext } from "../../lib/chain/clients.js";
import { listChainTransactions } from "../../lib/chain/listChainTransactions.js";
import { walletTransactionsResponse } from "../../lib/chain/responses.js";
import { walletTransactionsQuery } from "../../lib/chain/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/wallet/transactions — the agent wallet's chain transactions, newest first; session keys see their runs' only. */
export const GET = endpoint(
  {
    route: "/api/wallet/transactions",
    method: "GET",
    operationId: "listWalletTransactions",
    summary: "The agent wallet's chain transactions, newest first",
    tags: ["wallet"],
    auth: "any",
    query: walletTransactionsQuery,
    success: {
      status: 200,
      description: "A page of transactions",
      schema: walletTransactionsResponse,
    },
  },
  async ({ principal, query }) => {
    const context = getChainContext();
    const page = await listChainTransactions(await getDb(), {
      ...query,
      chainId: context.chain.id,
      ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
    });
    return { network: context.network, chainId: context.chain.id, ...page };
  },
);
