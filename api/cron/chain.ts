import { getConfig } from "../../lib/config.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { json, route } from "../../lib/http/index.js";
import { runBackgroundChecks } from "../../lib/runs/backgroundChecks.js";

/**
 * GET /api/cron/chain — Vercel Cron: watch submitted transactions and resume the runs waiting on
 * them; re-wake approvals whose wake-up was lost. Vercel sends `Authorization: Bearer $CRON_SECRET`.
 */
export const GET = route("/api/cron/chain", async (request) => {
  const secret = getConfig().CRON_SECRET;
  if (secret && request.headers.get("authorization") !== `Bearer ${secret}`) {
    throw new ClientError("unauthorized", "Cron requests must carry the CRON_SECRET");
  }
  if (!secret && getConfig().NODE_ENV === "production") {
    throw new ClientError("unauthorized", "CRON_SECRET is not configured");
  }
  return json(await runBackgroundChecks(await getDb()));
});
