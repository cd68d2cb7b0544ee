import { listApprovals } from "../../lib/approvals/listApprovals.js";
import { approvalList } from "../../lib/approvals/responses.js";
import { listApprovalsQuery } from "../../lib/approvals/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/approvals?status=pending&sessionId — approval requests visible to the caller. */
export const GET = endpoint(
  {
    route: "/api/approvals",
    method: "GET",
    operationId: "listApprovals",
    summary: "Approval requests visible to the caller",
    tags: ["approvals"],
    auth: "any",
    query: listApprovalsQuery,
    success: { status: 200, description: "The approvals", schema: approvalList },
  },
  async ({ principal, query }) => ({
    approvals: await listApprovals(await getDb(), principal, query),
  }),
);
