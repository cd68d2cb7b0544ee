import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseQuery, route } from "../../lib/http/index.js";
import { paymentStats } from "../../lib/x402/payments.js";

export const statsSchema = z.object({
  sessionId: z.string().min(1).max(100).optional().describe("Only payments of this session"),
  from: z.iso.datetime({ offset: true }).optional().describe("Created at or after (ISO 8601)"),
  to: z.iso.datetime({ offset: true }).optional().describe("Created before (ISO 8601)"),
});

/** GET /api/payments/stats — counts and sums per (asset, network); tokens are never summed together. */
export const GET = route("/api/payments/stats", async (request) => {
  const principal = await guard(request);
  const query = parseQuery(request, statsSchema);
  const stats = await paymentStats(await getDb(), {
    sessionId: query.sessionId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
  });
  return json({ stats });
});
