import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { backgroundChecksResponse } from "../../lib/http/operationResponses.js";
import { runBackgroundChecks } from "../../lib/runs/wake/backgroundChecks.js";

/**
 * GET /api/cron/chain — Vercel Cron: watch submitted transactions and resume the runs waiting on
 * them; re-wake approvals whose wake-up was lost. Vercel sends `Authorization: Bearer $CRON_SECRET`.
 */
export const GET = endpoint(
  {
    route: "/api/cron/chain",
    method: "GET",
    operationId: "runChainCron",
    summary: "Vercel Cron: check submitted transactions and resume the runs waiting on them",
    tags: ["operations"],
    auth: "cron",
    success: {
      status: 200,
      description: "What the checks did",
      schema: backgroundChecksResponse,
    },
  },
  async () => await runBackgroundChecks(await getDb()),
);
