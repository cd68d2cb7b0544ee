import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { listPayments } from "../../lib/x402/payments.js";

export const listSchema = z.object({
  status: z
    .enum(["pending", "settled", "failed"])
    .optional()
    .describe("Only payments in this state"),
  sessionId: z.string().min(1).max(100).optional().describe("Only payments of this session"),
  from: z.iso.datetime({ offset: true }).optional().describe("Created at or after (ISO 8601)"),
  to: z.iso.datetime({ offset: true }).optional().describe("Created before (ISO 8601)"),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Page size"),
  cursor: z.string().max(500).optional().describe("nextCursor of the previous page"),
});

/** GET /api/payments — x402 payments, newest first; session keys see their sessions' only. */
export const GET = route("/api/payments", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, listSchema);
  const page = await listPayments(await getDb(), {
    status: query.status,
    sessionId: query.sessionId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    limit: query.limit,
    cursor: query.cursor,
    ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
  });
  return json(page);
});
