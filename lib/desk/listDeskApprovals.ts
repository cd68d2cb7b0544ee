import type { Kysely } from "kysely";
import { viewApproval } from "../approvals/viewApproval.js";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { type ApprovalDescription, describeApproval } from "./describeApproval.js";
import { roleOf } from "./roleOf.js";
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
  /** The rule that held it, as the policy gate wrote it. */
  reason: string;
  /** The command the action came from. */
  command: string;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decision: string | null;
  decidedBy: { keyId: string; name: string | null } | null;
  comment: string | null;
  /** For an edit: each changed field, from → to, in base units of its token. */
  changes: { field: string; token: string; from: string; to: string }[];
}

/**
 * Approvals the caller may decide or review, newest first, each described in human units with
 * its command, rule and decider. Admins and approvers see every session; agents their own.
 */
export async function listDeskApprovals(
  db: Kysely<Database>,
  principal: Principal,
  query: DeskApprovalsQuery,
): Promise<{ approvals: DeskApproval[] }> {
  const everyone = roleOf(principal) !== "agent";
  const rows = await db
    .selectFrom("approval_requests as a")
    .innerJoin("runs as r", "r.id", "a.run_id")
    .innerJoin("agent_sessions as s", "s.id", "a.session_id")
    .selectAll("a")
    .select("r.command as command")
    .$if(!everyone, (q) => q.where("s.api_key_id", "=", principal.keyId))
    .$if(query.status === "pending", (q) => q.where("a.status", "=", "pending"))
    .$if(query.status === "decided", (q) => q.where("a.status", "!=", "pending"))
    .$if(query.token !== undefined, (q) => q.where("a.token", "=", query.token!))
    .orderBy("a.created_at", "desc")
    .limit(query.limit)
    .execute();

  const deciders = [
    ...new Set(rows.map((row) => decisionOf(row.decision).by).filter((by) => by !== undefined)),
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
      const description = await describeApproval(db, {
        action: row.action,
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
        command,
        createdAt: view.createdAt,
        expiresAt: view.expiresAt,
        decidedAt: view.decidedAt,
        decision: decided.decision ?? null,
        decidedBy: decided.by ? { keyId: decided.by, name: names.get(decided.by) ?? null } : null,
        comment: decided.comment ?? null,
        changes: changesOf(row.action, decided.action, description),
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
