import { getDb } from "../../lib/db/index.js";
import { getDeskSpend } from "../../lib/desk/getDeskSpend.js";
import { deskSpendResponse } from "../../lib/desk/responses.js";
import { deskSpendQuery } from "../../lib/desk/schemas.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/desk/spend?days — spend per session and key, per day, per service. */
export const GET = endpoint(
  {
    route: "/api/desk/spend",
    method: "GET",
    operationId: "getDeskSpend",
    summary: "Spend per session and per key against limits, per day and per service",
    tags: ["desk"],
    auth: "any",
    query: deskSpendQuery,
    success: { status: 200, description: "Spend read model", schema: deskSpendResponse },
  },
  async ({ principal, query }) => await getDeskSpend(await getDb(), principal, query),
);
