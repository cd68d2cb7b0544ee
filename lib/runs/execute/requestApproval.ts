import type { Kysely } from "kysely";
import { describeAction } from "../../actions/registry.js";
import type { Plan } from "../../agent/plan.js";
import { getConfig } from "../../config.js";
import type { Database, RunStatus } from "../../db/database.js";
import { newId } from "../../ids.js";
import { notifyApprovalRequired } from "../../notifications/index.js";
import { policyApprovers } from "../../policy/approvalRequirement.js";
import { resolvePolicy } from "../../policy/resolvePolicy.js";
import { appendRunEvent } from "../events.js";
import { isTerminal, lockRun } from "../runState.js";
import type { RunOptions } from "../start/startRun.js";

export type RequestApprovalResult =
  | { token: string; timeoutSeconds: number; ended?: undefined }
  /** The run was cancelled (or ended) before its approval was asked: nobody is asked. */
  | { ended: RunStatus };

/**
 * Records a pending approval for an action and puts the run in waiting_approval. The token is
 * random (it is half of the approver's credential) and minted here, inside a step, so a replay of
 * the workflow gets the same one. A retry reuses the pending request instead of making another.
 */
export async function recordApprovalRequest(
  db: Kysely<Database>,
  parameters: { runId: string; index: number },
): Promise<RequestApprovalResult> {
  const { runId, index } = parameters;
  return db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) throw new Error(`run ${runId} vanished`);
    // A cancel that committed while this step waited for the lock: no approver is paged, and the
    // run is not put back into waiting_approval.
    if (isTerminal(run.status)) return { ended: run.status };
    if (run.cancel_requested_at) return { ended: "cancelled" };
    const planned = (run.plan as Plan).actions.find((a) => a.index === index)!;
    const hold = planned.hold;
    // The command may shorten the policy's approval expiry, never lengthen it.
    const asked = (run.options as RunOptions | null)?.approvalTimeoutSeconds;
    const policyExpiry = hold?.expiresInSeconds ?? getConfig().APPROVAL_TIMEOUT_SECONDS;
    const timeoutSeconds = asked !== undefined ? Math.min(asked, policyExpiry) : policyExpiry;
    const existing = await trx
      .selectFrom("approval_requests")
      .select(["token", "expires_at"])
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .executeTakeFirst();
    if (existing) {
      const left = Math.max(1, Math.ceil((existing.expires_at.getTime() - Date.now()) / 1000));
      return { token: existing.token, timeoutSeconds: left };
    }
    const token = newId("apr");
    const expiresAt = new Date(Date.now() + timeoutSeconds * 1000);
    await trx
      .insertInto("approval_requests")
      .values({
        token,
        run_id: runId,
        session_id: run.session_id,
        step_index: index,
        action: JSON.stringify(planned.action),
        amount_usd: planned.usdValue ?? null,
        reason: planned.reason ?? "The action is above the approval threshold",
        status: "pending",
        expires_at: expiresAt,
        // Policy (issue 13): the quorum and who may decide; the rule and version that held it.
        agent_key_id: run.api_key_id,
        ...(hold
          ? {
              required_approvals: hold.requiredApprovals,
              approvers: hold.approvers,
              policy_id: hold.policyId,
              policy_version: hold.policyVersion,
              rule: hold.rule,
            }
          : await plannerHoldColumns(trx, run.api_key_id)),
      })
      .execute();
    await notifyApprovalRequired(trx, {
      token,
      runId,
      stepIndex: index,
      agentKeyId: run.api_key_id,
      actionSummary: describeAction(planned.action),
      reason: planned.reason ?? "The action is above the approval threshold",
      requiredApprovals: hold?.requiredApprovals ?? 1,
      expiresAt,
    });
    await trx
      .updateTable("run_steps")
      .set({ status: "waiting_approval" })
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .execute();
    await trx
      .updateTable("runs")
      .set({ status: "waiting_approval", updated_at: new Date() })
      .where("id", "=", runId)
      .execute();
    await appendRunEvent(trx, {
      runId,
      type: "approval.required",
      data: {
        index,
        token,
        action: planned.action,
        summary: describeAction(planned.action),
        usdValue: planned.usdValue,
        reason: planned.reason,
        requiredApprovals: hold?.requiredApprovals ?? 1,
        rule: hold?.rule,
        expiresAt,
      },
      dedupeKey: `${runId}:${index}:approval`,
    });
    return { token, timeoutSeconds };
  });
}

/**
 * Who may decide an approval the planner asked for (a session threshold, a whole-balance action,
 * an unpriced one) rather than the policy: the approvers the key's policy names, as for its own
 * holds. Left to the column's default ("any"), an approver not assigned to the key could decide,
 * and edit, the key's approval.
 */
async function plannerHoldColumns(
  trx: Kysely<Database>,
  keyId: string | null,
): Promise<{ approvers: "assigned" | "any" }> {
  const policy = await resolvePolicy(trx, { keyId });
  return { approvers: policyApprovers(policy.document) };
}
