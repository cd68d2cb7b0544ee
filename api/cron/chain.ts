import { getDb } from "../../lib/db/index.js";
import { json, route } from "../../lib/http/index.js";
import { runBackgroundChecks } from "../../lib/runs/wake/backgroundChecks.js";
import { verifyCronRequest } from "../../lib/security/verifyCronRequest.js";

/**
 * GET /api/cron/chain — Vercel Cron: watch submitted transactions and resume the runs waiting on
 * them; re-wake approvals whose wake-up was lost. Vercel sends `Authorization: Bearer $CRON_SECRET`.
 */
export const GET = route("/api/cron/chain", async (request) => {
  verifyCronRequest(request);
  return json(await runBackgroundChecks(await getDb()));
});
