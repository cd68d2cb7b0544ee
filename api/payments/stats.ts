import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { paymentStats } from "../../lib/x402/payments.js";
import { paymentStatsResponse, toPaymentStatsResponse } from "../../lib/x402/responses.js";
import { paymentStatsQuery } from "../../lib/x402/schemas.js";

/** GET /api/payments/stats — counts and sums per (asset, network); tokens are never summed together. */
export const GET = endpoint(
  {
    route: "/api/payments/stats",
    method: "GET",
    operationId: "getPaymentStats",
    summary: "Counts and sums per asset and network",
    tags: ["payments"],
    auth: "any",
    query: paymentStatsQuery,
    success: { status: 200, description: "The statistics", schema: paymentStatsResponse },
  },
  async ({ principal, query }) => ({
    stats: (
      await paymentStats(await getDb(), {
        sessionId: query.sessionId,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
      })
    ).map(toPaymentStatsResponse),
  }),
);
