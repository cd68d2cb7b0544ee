import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { ApprovalRequest, Database } from "../db/database.js";
import { approvalVisibleTo } from "../policy/index.js";
import { viewApproval } from "./viewApproval.js";

/**
 * Approval requests visible to the principal, newest first: admins all; approvers those of the
 * agent keys assigned to them (or any, where the policy says so); agents their own sessions'.
 */
export async function listApprovals(
  db: Kysely<Database>,
  principal: Principal,
  options: { status?: ApprovalRequest["status"]; sessionId?: string; limit: number },
) {
  let query = db
    .selectFrom("approval_requests")
    .innerJoin("agent_sessions", "agent_sessions.id", "approval_requests.session_id")
    .selectAll("approval_requests")
    .where(approvalVisibleTo(principal))
    .orderBy("approval_requests.created_at", "desc")
    .limit(options.limit);
  if (options.status) query = query.where("approval_requests.status", "=", options.status);
  if (options.sessionId)
    query = query.where("approval_requests.session_id", "=", options.sessionId);
  return (await query.execute()).map(viewApproval);
}
