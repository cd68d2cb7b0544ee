import { getConfig } from "../lib/config.js";
import { coalesceProbe } from "../lib/health/coalesceProbe.js";
import { checkHealth, type HealthReport } from "../lib/health.js";
import { endpoint, json } from "../lib/http/index.js";
import { healthResponse } from "../lib/http/operationResponses.js";

/**
 * The route is public and each probe reads the database, the world and the RPC: callers share one
 * probe and its report for HEALTH_CACHE_MS, so polling (or flooding) it costs the RPC provider at
 * most one call per interval. Not a 429: load balancers poll it and would read that as down.
 */
const sharedHealth: () => Promise<HealthReport> = coalesceProbe(checkHealth, {
  reuseMs: () => getConfig().HEALTH_CACHE_MS,
  // A degraded report is shared only while its probe runs: a host coming up (or back) answers
  // healthy as soon as it is, not up to HEALTH_CACHE_MS later.
  reusable: (report) => report.status === "ok",
});

/** GET /api/health — public; 200 when database, cache, workflow world and chain answer, else 503. */
export const GET = endpoint(
  {
    route: "/api/health",
    method: "GET",
    operationId: "getHealth",
    summary: "Database, cache, workflow world and chain health",
    tags: ["operations"],
    auth: false,
    success: { status: 200, description: "Everything answers", schema: healthResponse },
    responses: {
      503: {
        description: "A dependency does not answer (status degraded)",
        schema: healthResponse,
      },
    },
  },
  async () => {
    const report = await sharedHealth();
    return json(report, {
      status: report.status === "ok" ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  },
);
