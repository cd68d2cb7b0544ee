import type { Kysely } from "kysely";
import { viewUsd } from "../../amounts/viewUsd.js";
import type { Principal } from "../../auth/authenticate.js";
import type { ApprovalRequest, Database } from "../../db/database.js";
import { approvalVisibleTo } from "./approvalAccess.js";

/** An approval as a decider sees it: the request, its quorum and the votes so far. */
export interface ApprovalWithVotes {
  token: string;
  runId: string;
  sessionId: string;
  step: number;
  action: unknown;
  originalAction: unknown;
  amountUsd: string | null;
  reason: string;
  rule: string | null;
  policy: { id: string; version: number | null } | null;
  status: ApprovalRequest["status"];
  required: number;
  approvers: "assigned" | "any";
  votes: { approverKeyId: string; decision: string; comment: string | null; at: Date }[];
  expiresAt: Date;
  createdAt: Date;
  decidedAt: Date | null;
}

/** Approvals the principal may see (see approvalVisibleTo), newest first, with their votes. */
export async function listApprovalsFor(
  db: Kysely<Database>,
  parameters: {
    principal: Pick<Principal, "keyId" | "role">;
    status?: ApprovalRequest["status"];
    sessionId?: string;
    limit?: number;
  },
): Promise<ApprovalWithVotes[]> {
  let query = db
    .selectFrom("approval_requests")
    .innerJoin("agent_sessions", "agent_sessions.id", "approval_requests.session_id")
    .selectAll("approval_requests")
    .where(approvalVisibleTo(parameters.principal))
    .orderBy("approval_requests.created_at", "desc")
    .limit(parameters.limit ?? 50);
  if (parameters.status) query = query.where("approval_requests.status", "=", parameters.status);
  if (parameters.sessionId)
    query = query.where("approval_requests.session_id", "=", parameters.sessionId);
  const rows = await query.execute();
  const votes =
    rows.length === 0
      ? []
      : await db
          .selectFrom("approval_decisions")
          .selectAll()
          .where(
            "approval_token",
            "in",
            rows.map((row) => row.token),
          )
          .orderBy("created_at")
          .execute();
  return rows.map((row) => ({
    token: row.token,
    runId: row.run_id,
    sessionId: row.session_id,
    step: row.step_index,
    action: row.action,
    originalAction: row.original_action,
    amountUsd: viewUsd(row.amount_usd),
    reason: row.reason,
    rule: row.rule,
    policy: row.policy_id === null ? null : { id: row.policy_id, version: row.policy_version },
    status: row.status,
    required: row.required_approvals,
    approvers: row.approvers,
    votes: votes
      .filter((vote) => vote.approval_token === row.token)
      .map((vote) => ({
        approverKeyId: vote.approver_key_id,
        decision: vote.decision,
        comment: vote.comment,
        at: vote.created_at,
      })),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  }));
}
