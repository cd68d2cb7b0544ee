import { getChainContext } from "../../chain/clients.js";
import { UnknownTokenError } from "../../chain/errors.js";
import { getBalances } from "../../chain/getBalances.js";
import { ClientError, ServiceUnavailableError } from "../../errors/index.js";
import { defineTool } from "../defineTool.js";
import { getBalanceSpec } from "../toolSpecs.js";

/** get_balance: GET /api/wallet/balance as a tool. */
export const getBalanceTool = defineTool(getBalanceSpec, async (args) => {
  const context = getChainContext();
  let result: Awaited<ReturnType<typeof getBalances>>;
  try {
    result = await getBalances(context, { tokens: args.tokens });
  } catch (error) {
    if (error instanceof UnknownTokenError)
      throw new ClientError("validation_failed", error.message);
    throw new ServiceUnavailableError("The chain RPC did not answer", { cause: error });
  }
  return {
    structured: { network: context.network, chainId: context.chain.id, ...result },
    text: result.balances.map((b) => `${b.formatted} ${b.symbol}`).join(", "),
  };
});
