import { checkHealth } from "../lib/health.js";
import { json, route } from "../lib/http/index.js";

/** GET /api/health — public; 200 when database, cache, workflow world and chain answer, else 503. */
export const GET = route("/api/health", async () => {
  const report = await checkHealth();
  return json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
});
