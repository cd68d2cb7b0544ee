import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { ApprovalRequest, Database } from "../db/database.js";
import { viewApproval } from "./viewApproval.js";

/** Approval requests visible to the principal, newest first. */
export async function listApprovals(
  db: Kysely<Database>,
  principal: Principal,
  options: { status?: ApprovalRequest["status"]; sessionId?: string; limit: number },
) {
  let query = db
    .selectFrom("approval_requests")
    .innerJoin("agent_sessions", "agent_sessions.id", "approval_requests.session_id")
    .selectAll("approval_requests")
    .orderBy("approval_requests.created_at", "desc")
    .limit(options.limit);
  if (principal.scope !== "admin")
    query = query.where("agent_sessions.api_key_id", "=", principal.keyId);
  if (options.status) query = query.where("approval_requests.status", "=", options.status);
  if (options.sessionId)
    query = query.where("approval_requests.session_id", "=", options.sessionId);
  return (await query.execute()).map(viewApproval);
}
