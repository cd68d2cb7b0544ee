import { getDb } from "../../lib/db/index.js";
import { listDeskApprovals } from "../../lib/desk/listDeskApprovals.js";
import { deskApprovalList } from "../../lib/desk/responses.js";
import { deskApprovalsQuery } from "../../lib/desk/schemas.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/desk/approvals?status&token&limit — approvals as sentences in human units, with context. */
export const GET = endpoint(
  {
    route: "/api/desk/approvals",
    method: "GET",
    operationId: "listDeskApprovals",
    summary: "Approvals described in human units with their command, rule, expiry and decider",
    tags: ["desk"],
    auth: "any",
    query: deskApprovalsQuery,
    success: { status: 200, description: "Approvals, newest first", schema: deskApprovalList },
  },
  async ({ principal, query }) => await listDeskApprovals(await getDb(), principal, query),
);
