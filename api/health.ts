import { checkHealth } from "../lib/health.js";
import { endpoint, json } from "../lib/http/index.js";
import { healthResponse } from "../lib/http/operationResponses.js";

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
    const report = await checkHealth();
    return json(report, {
      status: report.status === "ok" ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  },
);
