import type { Kysely } from "kysely";
import { Action } from "../agent/plan.js";
import type { Principal } from "../auth/authenticate.js";
import { assertSessionAccess } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { validate } from "../http/validate.js";
import { appendRunEvent } from "../runs/events.js";
import { checkEditedSpend } from "../runs/execute/spend.js";
import { wakeRun } from "../runs/wake/wakeRun.js";
import type { ApprovalDecision } from "./schemas.js";
import { viewApproval } from "./viewApproval.js";

/**
 * Records a decision and wakes the run. The decision is stored first (under a row lock, so two
 * approvers cannot both decide); the run reads it from the database when it resumes. An edit is
 * re-validated against the action's schema and the budget: it cannot raise spend past the budget.
 */
export async function decideApproval(
  db: Kysely<Database>,
  principal: Principal,
  token: string,
  decision: ApprovalDecision,
) {
  const decided = await db.transaction().execute(async (trx) => {
    const approval = await trx
      .selectFrom("approval_requests")
      .selectAll()
      .where("token", "=", token)
      .forUpdate()
      .executeTakeFirst();
    if (!approval) throw new ClientError("not_found", `Approval ${token} not found`);
    const session = await trx
      .selectFrom("agent_sessions")
      .select(["id", "api_key_id"])
      .where("id", "=", approval.session_id)
      .executeTakeFirstOrThrow();
    try {
      assertSessionAccess(principal, session);
    } catch {
      throw new ClientError("not_found", `Approval ${token} not found`);
    }
    if (approval.status !== "pending") {
      throw new ClientError(
        approval.status === "expired" ? "gone" : "conflict",
        `Approval ${token} is already ${approval.status}`,
      );
    }
    const now = new Date();
    if (approval.expires_at.getTime() <= now.getTime()) {
      await trx
        .updateTable("approval_requests")
        .set({ status: "expired", decided_at: now })
        .where("token", "=", token)
        .execute();
      throw new ClientError(
        "gone",
        `Approval ${token} expired at ${approval.expires_at.toISOString()}`,
      );
    }

    let stored: Record<string, unknown> = {
      decision: decision.decision,
      comment: decision.comment,
      by: principal.keyId,
    };
    if (decision.decision === "edit") {
      const original = approval.action as Action;
      const edited = validate(
        Action,
        { ...original, ...decision.args, type: original.type },
        "edited action",
      );
      const run = await trx
        .selectFrom("runs")
        .selectAll()
        .where("id", "=", approval.run_id)
        .executeTakeFirstOrThrow();
      await checkEditedSpend(trx, { run, index: approval.step_index, action: edited });
      stored = { ...stored, action: edited };
    }
    const status =
      decision.decision === "approve"
        ? "approved"
        : decision.decision === "reject"
          ? "rejected"
          : "edited";
    const updated = await trx
      .updateTable("approval_requests")
      .set({ status, decision: JSON.stringify(stored), decided_at: now })
      .where("token", "=", token)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendRunEvent(trx, {
      runId: approval.run_id,
      type: "approval.decided",
      data: { index: approval.step_index, token, decision: decision.decision },
      dedupeKey: `${approval.run_id}:${approval.step_index}:decided`,
    });
    const run = await trx
      .selectFrom("runs")
      .select("workflow_run_id")
      .where("id", "=", approval.run_id)
      .executeTakeFirstOrThrow();
    return { approval: updated, workflowRunId: run.workflow_run_id };
  });

  const resumed = decided.workflowRunId
    ? await wakeRun(decided.workflowRunId, token, { kind: "approval", decision: decision.decision })
    : false;
  return { ...viewApproval(decided.approval), resumed };
}
