import type { Kysely } from "kysely";
import { viewApproval } from "../approvals/viewApproval.js";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { approvalVisibleTo, canDecideApproval } from "../policy/approvals/approvalAccess.js";
import { type ApprovalDescription, describeApproval } from "./describeApproval.js";
import type { DeskApprovalsQuery } from "./schemas.js";

/** One approval as the desk shows it. */
export interface DeskApproval extends ApprovalDescription {
  token: string;
  runId: string;
  sessionId: string;
  step: number;
  status: string;
  action: unknown;
  /** The plain summary line (also in GET /api/approvals). */
  summary: string | null;
  amountUsd: string | null;
  /** Why it was held, as the policy gate wrote it ("50 USDC is above the 10 USD threshold"). */
  reason: string;
  /** The policy rule that held it, and its policy; null for holds older than policies. */
  rule: string | null;
  policy: { id: string; version: number | null } | null;
  /** Quorum: distinct approvals needed and given so far. */
  required: number;
  granted: number;
  /** Whether this caller may decide it now (admins; approvers assigned to the agent, or any). */
  canDecide: boolean;
  /** The command the action came from. */
  command: string;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decision: string | null;
  /** Every vote (approve, reject, edit) with its key, oldest first; before quorum votes, the decider. */
  votes: { keyId: string; name: string | null; decision: string; at: string | null }[];
  comment: string | null;
  /** For an edit: each changed field, from → to, in base units of its token. */
  changes: { field: string; token: string; from: string; to: string }[];
}

/**
 * Approvals the caller may see (admins all; approvers those of their assigned agent keys and those
 * any approver may decide; agents their own, read-only), newest first, each described in human
 * units with its command, rule, quorum and votes.
 */
export async function listDeskApprovals(
  db: Kysely<Database>,
  principal: Principal,
  query: DeskApprovalsQuery,
): Promise<{ approvals: DeskApproval[] }> {
  const rows = await db
    .selectFrom("approval_requests")
    .innerJoin("agent_sessions", "agent_sessions.id", "approval_requests.session_id")
    .innerJoin("runs", "runs.id", "approval_requests.run_id")
    .selectAll("approval_requests")
    .select("runs.command as command")
    .where(approvalVisibleTo(principal))
    .$if(query.status === "pending", (q) => q.where("approval_requests.status", "=", "pending"))
    .$if(query.status === "decided", (q) => q.where("approval_requests.status", "!=", "pending"))
    .$if(query.token !== undefined, (q) => q.where("approval_requests.token", "=", query.token!))
    .orderBy("approval_requests.created_at", "desc")
    .limit(query.limit)
    .execute();
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

  const deciders = [
    ...new Set([
      ...votes.map((vote) => vote.approver_key_id),
      ...rows.map((row) => decisionOf(row.decision).by).filter((by) => by !== undefined),
    ]),
  ];
  const names = new Map(
    deciders.length === 0
      ? []
      : (
          await db
            .selectFrom("api_keys")
            .select(["id", "name"])
            .where("id", "in", deciders)
            .execute()
        ).map((k) => [k.id, k.name] as const),
  );

  const approvals = await Promise.all(
    rows.map(async (row): Promise<DeskApproval> => {
      const { command, ...approval } = row;
      const view = viewApproval(approval);
      const decided = decisionOf(row.decision);
      const own = votes.filter((vote) => vote.approval_token === row.token);
      const ballot: DeskApproval["votes"] = own.map((vote) => ({
        keyId: vote.approver_key_id,
        name: names.get(vote.approver_key_id) ?? null,
        decision: vote.decision,
        at: vote.created_at.toISOString(),
      }));
      if (ballot.length === 0 && decided.by) {
        ballot.push({
          keyId: decided.by,
          name: names.get(decided.by) ?? null,
          decision: decided.decision ?? row.status,
          at: view.decidedAt,
        });
      }
      // What was approved may differ from what was asked: an edit rewrites `action` and keeps
      // the request in `original_action`. A pending card shows what an approval now approves
      // (an earlier approver's edit included); a decided one what was asked, with its changes.
      const asked = row.original_action ?? row.action;
      const description = await describeApproval(db, {
        action: row.status === "pending" ? row.action : asked,
        runId: row.run_id,
        fallback: view.summary ?? row.reason,
      });
      return {
        ...description,
        token: view.token,
        runId: view.runId,
        sessionId: view.sessionId,
        step: view.step,
        status: view.status,
        action: row.action,
        summary: view.summary,
        amountUsd: view.amountUsd,
        reason: view.reason,
        rule: row.rule,
        policy: row.policy_id === null ? null : { id: row.policy_id, version: row.policy_version },
        required: row.required_approvals,
        granted: own.filter((vote) => vote.decision === "approve").length,
        canDecide: row.status === "pending" && (await canDecideApproval(db, principal, row)),
        command,
        createdAt: view.createdAt,
        expiresAt: view.expiresAt,
        decidedAt: view.decidedAt,
        decision: decided.decision ?? null,
        votes: ballot,
        comment: decided.comment ?? own.find((vote) => vote.comment)?.comment ?? null,
        changes: changesOf(asked, editedAction(row, decided), description),
      };
    }),
  );
  return { approvals };
}

interface StoredDecision {
  decision?: string;
  by?: string;
  comment?: string;
  action?: Record<string, unknown>;
}

function decisionOf(value: unknown): StoredDecision {
  return value && typeof value === "object" ? (value as StoredDecision) : {};
}

/** The edited action, wherever this version of the schema keeps it. */
function editedAction(
  row: { action: unknown; original_action: unknown },
  decided: StoredDecision,
): Record<string, unknown> | undefined {
  if (decided.action) return decided.action;
  if (row.original_action && row.action && typeof row.action === "object") {
    return row.action as Record<string, unknown>;
  }
  return undefined;
}

function changesOf(
  original: unknown,
  edited: Record<string, unknown> | undefined,
  description: ApprovalDescription,
): DeskApproval["changes"] {
  if (!edited || !original || typeof original !== "object") return [];
  const before = original as Record<string, unknown>;
  return description.editable
    .filter(
      (field) => edited[field.field] !== undefined && edited[field.field] !== before[field.field],
    )
    .map((field) => ({
      field: field.field,
      token: field.token,
      from: String(before[field.field]),
      to: String(edited[field.field]),
    }));
}
