import { z } from "zod";
import { getChainContext } from "../../lib/chain/clients.js";
import { UnknownTokenError } from "../../lib/chain/errors.js";
import { getBalances } from "../../lib/chain/getBalances.js";
import { ClientError, ServiceUnavailableError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";

export const querySchema = z.object({
  tokens: z
    .string()
    .max(200)
    .default("CRO,USDC")
    .transform((value) =>
      value
        .split(",")
        .map((token) => token.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(1).max(42)).min(1).max(10))
    .describe("Comma-separated token symbols, aliases or addresses (default CRO,USDC)"),
});

/** GET /api/wallet/balance?tokens=CRO,USDC — the agent wallet's balances (base units and formatted). */
export const GET = route("/api/wallet/balance", async (request) => {
  await guard(request);
  const query = parseQuery(request, querySchema);
  const context = getChainContext();
  try {
    const result = await getBalances(context, { tokens: query.tokens });
    return json({ network: context.network, chainId: context.chain.id, ...result });
  } catch (error) {
    if (error instanceof UnknownTokenError)
      throw new ClientError("validation_failed", error.message);
    throw new ServiceUnavailableError("The chain RPC did not answer", { cause: error });
  }
});
