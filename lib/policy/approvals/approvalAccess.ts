import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import type { ApprovalRequest, Database } from "../../db/database.js";

type ApprovalScope = ExpressionBuilder<Database, "approval_requests" | "agent_sessions">;

/**
 * Which approvals a principal sees, as a where-clause over approval_requests joined with
 * agent_sessions: admins every one; approvers those of the agent keys assigned to them, and every
 * approval whose policy lets any approver decide; agents only their own sessions' (read-only).
 */
export function approvalVisibleTo(principal: Pick<Principal, "keyId" | "role">) {
  return (eb: ApprovalScope) => {
    if (principal.role === "admin") return sql<boolean>`true`;
    if (principal.role === "agent") return eb("agent_sessions.api_key_id", "=", principal.keyId);
    return eb.or([
      eb("approval_requests.approvers", "=", "any"),
      eb.exists(
        eb
          .selectFrom("approver_assignments")
          .select(sql`1`.as("one"))
          .where("approver_assignments.approver_key_id", "=", principal.keyId)
          .where(
            sql<boolean>`approver_assignments.agent_key_id = coalesce(approval_requests.agent_key_id, agent_sessions.api_key_id)`,
          ),
      ),
    ]);
  };
}

/**
 * True when the principal may decide this approval: never an agent key; admins always; an
 * approver when the policy lets any approver decide or the agent key is assigned to it.
 */
export async function canDecideApproval(
  db: Kysely<Database>,
  principal: Pick<Principal, "keyId" | "role">,
  approval: Pick<ApprovalRequest, "approvers" | "agent_key_id" | "session_id">,
): Promise<boolean> {
  if (principal.role === "admin") return true;
  if (principal.role !== "approver") return false;
  if (approval.approvers === "any") return true;
  let agentKeyId = approval.agent_key_id;
  if (agentKeyId === null) {
    const session = await db
      .selectFrom("agent_sessions")
      .select("api_key_id")
      .where("id", "=", approval.session_id)
      .executeTakeFirst();
    agentKeyId = session?.api_key_id ?? null;
  }
  if (agentKeyId === null) return false;
  const assigned = await db
    .selectFrom("approver_assignments")
    .select("agent_key_id")
    .where("approver_key_id", "=", principal.keyId)
    .where("agent_key_id", "=", agentKeyId)
    .executeTakeFirst();
  return assigned !== undefined;
}
