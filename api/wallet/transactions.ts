import { z } from "zod";
import { getChainContext } from "../../lib/chain/clients.js";
import { listChainTransactions } from "../../lib/chain/listChainTransactions.js";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";

export const querySchema = z.object({
  status: z
    .enum(["submitted", "confirmed", "reverted", "dropped"])
    .optional()
    .describe("Only transactions in this state"),
  kind: z
    .enum(["transfer", "approve", "swap"])
    .optional()
    .describe("Only this kind of transaction"),
  runId: z.string().min(1).max(100).optional().describe("Only transactions of this run"),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Page size"),
  cursor: z.string().max(500).optional().describe("nextCursor of the previous page"),
});

/** GET /api/wallet/transactions — the agent wallet's chain transactions, newest first; session keys see their runs' only. */
export const GET = route("/api/wallet/transactions", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, querySchema);
  const context = getChainContext();
  const page = await listChainTransactions(await getDb(), {
    chainId: context.chain.id,
    status: query.status,
    kind: query.kind,
    runId: query.runId,
    limit: query.limit,
    cursor: query.cursor,
    ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
  });
  return json({ network: context.network, chainId: context.chain.id, ...page });
});
