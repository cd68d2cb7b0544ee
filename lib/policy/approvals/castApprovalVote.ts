import type { Kysely, Transaction } from "kysely";
import type { Principal } from "../../auth/authenticate.js";
import { deciderRoles, requireRole } from "../../auth/roles.js";
import type { ApprovalRequest, Database } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import { emitNotification } from "../../notifications/emitNotification.js";
import { canDecideApproval } from "./approvalAccess.js";

/** One approver's vote. */
export interface ApprovalVote {
  decision: "approve" | "reject" | "edit";
  /** Replacement action arguments of an edit (validated by `checkEdit`). */
  args?: Record<string, unknown>;
  comment?: string;
}

export interface CastApprovalVoteParameters {
  principal: Pick<Principal, "keyId" | "role">;
  token: string;
  vote: ApprovalVote;
  /**
   * Re-checks an edit before it replaces the action: the action schema and every policy limit in
   * every unit (evaluatePolicy). Returns the edited action; throws (422) to refuse it. Edits are
   * refused when it is absent.
   */
  checkEdit?: (
    trx: Transaction<Database>,
    approval: ApprovalRequest,
    args: Record<string, unknown>,
  ) => Promise<unknown>;
  now?: Date;
}

export interface CastApprovalVoteReturnType {
  token: string;
  status: ApprovalRequest["status"];
  /** Distinct approvers who approved the current action (keys revoked since left out). */
  approvals: number;
  required: number;
  /** True when this vote decided the approval (the run must be woken now). */
  final: boolean;
  runId: string;
}

/**
 * Records one approver's vote on an approval. N distinct approvers are needed (the request's
 * required_approvals); one approver voting twice counts once (the same vote again is a no-op, a
 * different one 409); one reject rejects; an edit replaces the action and voids earlier approvals,
 * which were for other arguments. Agent keys can never vote (403); approvers not entitled to this
 * agent's approvals get 404. Expired → 410, already decided → 409. The final vote enqueues
 * approval.decided in the same transaction; the caller then wakes the run. An approval of a key
 * revoked since it voted leaves the quorum; an approval decided before the revocation stays
 * decided, but the gate re-counts without that vote before money moves (countApprovals).
 */
export async function castApprovalVote(
  db: Kysely<Database>,
  parameters: CastApprovalVoteParameters,
): Promise<CastApprovalVoteReturnType> {
  const { principal, token, vote } = parameters;
  requireRole(principal, deciderRoles);
  const now = parameters.now ?? new Date();
  const outcome = await db.transaction().execute(async (trx) => {
    const approval = await trx
      .selectFrom("approval_requests")
      .selectAll()
      .where("token", "=", token)
      .forUpdate()
      .executeTakeFirst();
    if (!approval || !(await canDecideApproval(trx, principal, approval)))
      throw new ClientError("not_found", `Approval ${token} not found`);
    if (approval.status !== "pending") {
      throw new ClientError(
        approval.status === "expired" ? "gone" : "conflict",
        `Approval ${token} is already ${approval.status}`,
      );
    }
    if (approval.expires_at.getTime() <= now.getTime()) {
      await trx
        .updateTable("approval_requests")
        .set({ status: "expired", decided_at: now })
        .where("token", "=", token)
        .execute();
      await notifyDecided(trx, approval, "expired", [], now);
      return { expired: approval.expires_at, tally: undefined };
    }
    const previous = await trx
      .selectFrom("approval_decisions")
      .select("decision")
      .where("approval_token", "=", token)
      .where("approver_key_id", "=", principal.keyId)
      .executeTakeFirst();
    if (previous) {
      if (previous.decision === vote.decision && vote.decision !== "edit")
        return { expired: undefined, tally: await tally(trx, approval, false) };
      throw new ClientError(
        "conflict",
        `This key already voted ${previous.decision} on approval ${token}; each approver votes once`,
      );
    }
    let current = approval;
    if (vote.decision === "edit") {
      if (!parameters.checkEdit || !vote.args)
        throw new ClientError("unprocessable", "This approval cannot be edited here");
      const edited = await parameters.checkEdit(trx, approval, vote.args);
      current = await trx
        .updateTable("approval_requests")
        .set({
          action: JSON.stringify(edited),
          original_action: JSON.stringify(approval.original_action ?? approval.action),
        })
        .where("token", "=", token)
        .returningAll()
        .executeTakeFirstOrThrow();
      // Earlier approvals were given to other arguments: they no longer count.
      await trx.deleteFrom("approval_decisions").where("approval_token", "=", token).execute();
    }
    await trx
      .insertInto("approval_decisions")
      .values({
        approval_token: token,
        approver_key_id: principal.keyId,
        decision: vote.decision,
        args: vote.args ? JSON.stringify(vote.args) : null,
        comment: vote.comment ?? null,
      })
      .execute();
    return { expired: undefined, tally: await tally(trx, current, true, now) };
  });
  if (outcome.expired)
    throw new ClientError("gone", `Approval ${token} expired at ${outcome.expired.toISOString()}`);
  return outcome.tally as CastApprovalVoteReturnType;
}

/** Counts votes and, when `settle`, decides the approval once a reject or the quorum is there. */
async function tally(
  trx: Transaction<Database>,
  approval: ApprovalRequest,
  settle: boolean,
  now = new Date(),
): Promise<CastApprovalVoteReturnType> {
  const votes = await trx
    .selectFrom("approval_decisions as d")
    // Left: a voter with no key row (AUTH_DISABLED's "auth-disabled" admin) is not revoked.
    .leftJoin("api_keys as k", "k.id", "d.approver_key_id")
    .select(["d.approver_key_id", "d.decision", "d.comment", "k.revoked_at"])
    .where("d.approval_token", "=", approval.token)
    .orderBy("d.created_at")
    .execute();
  // A key revoked since it voted no longer speaks for anyone: its approval leaves the quorum.
  const approvers = votes
    .filter((v) => v.decision !== "reject" && v.revoked_at === null)
    .map((v) => v.approver_key_id);
  const rejected = votes.find((v) => v.decision === "reject");
  const base = {
    token: approval.token,
    approvals: approvers.length,
    required: approval.required_approvals,
    runId: approval.run_id,
  };
  if (!settle || (!rejected && approvers.length < approval.required_approvals))
    return { ...base, status: approval.status, final: false };
  const edited = votes.some((v) => v.decision === "edit");
  const status = rejected ? "rejected" : edited ? "edited" : "approved";
  const decision = rejected
    ? {
        decision: "reject",
        by: rejected.approver_key_id,
        comment: rejected.comment ?? undefined,
        approvers: [],
      }
    : {
        decision: edited ? "edit" : "approve",
        by: approvers.at(-1),
        approvers,
        ...(edited ? { action: approval.action } : {}),
      };
  await trx
    .updateTable("approval_requests")
    .set({ status, decision: JSON.stringify(decision), decided_at: now })
    .where("token", "=", approval.token)
    .execute();
  await notifyDecided(trx, approval, status, approvers, now);
  return { ...base, status, final: true };
}

async function notifyDecided(
  trx: Transaction<Database>,
  approval: ApprovalRequest,
  status: string,
  approvers: string[],
  now: Date,
): Promise<void> {
  await emitNotification(trx, {
    type: "approval.decided",
    dedupeKey: approval.token,
    now,
    data: {
      token: approval.token,
      runId: approval.run_id,
      step: approval.step_index,
      status,
      approvers,
    },
  });
}

/**
 * Of an approval's approvals, those cast by keys a policy with `approvers: "assigned"` accepts:
 * admins, and approvers assigned to `agentKeyId` (canDecideApproval's rule, counted afresh at the
 * gate, so an approval that was open to any approver cannot satisfy such a hold). Like
 * countApprovals, a vote of a key revoked since does not count.
 */
export async function countAssignedApprovals(
  db: Kysely<Database>,
  token: string,
  agentKeyId: string | null,
): Promise<number> {
  const row = await db
    .selectFrom("approval_decisions as d")
    .innerJoin("api_keys as k", "k.id", "d.approver_key_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("d.approval_token", "=", token)
    .where("d.decision", "in", ["approve", "edit"])
    .where("k.revoked_at", "is", null)
    .where((eb) =>
      eb.or([
        eb("k.role", "=", "admin"),
        ...(agentKeyId === null
          ? []
          : [
              eb.exists(
                eb
                  .selectFrom("approver_assignments as a")
                  .select("a.agent_key_id")
                  .whereRef("a.approver_key_id", "=", "d.approver_key_id")
                  .where("a.agent_key_id", "=", agentKeyId),
              ),
            ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Distinct approvals given to an approval's current action: the gate's `approvalsGranted`. A vote
 * of a key revoked since (api_keys.revoked_at) does not count, also once the approval was decided:
 * the gate re-counts at step time, so money does not move on a quorum that needs a revoked key.
 */
export async function countApprovals(db: Kysely<Database>, token: string): Promise<number> {
  const row = await db
    .selectFrom("approval_decisions as d")
    // Left: a voter with no key row (AUTH_DISABLED's "auth-disabled" admin) is not revoked.
    .leftJoin("api_keys as k", "k.id", "d.approver_key_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("d.approval_token", "=", token)
    .where("d.decision", "in", ["approve", "edit"])
    .where("k.revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
