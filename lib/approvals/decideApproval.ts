import type { Kysely, Transaction } from "kysely";
import { getActionModule } from "../actions/registry.js";
import type { Action } from "../actions/schemas.js";
import type { ActionContext } from "../actions/types.js";
import type { Principal } from "../auth/authenticate.js";
import { getChainContext } from "../chain/clients.js";
import type { ApprovalRequest, Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { injectFault } from "../faults/injectFault.js";
import { validate } from "../http/validate.js";
import { deliverNotificationsSoon } from "../notifications/deliverNotificationsSoon.js";
import { castApprovalVote, chainPricer, PolicyRuleError } from "../policy/index.js";
import { appendRunEvent } from "../runs/events.js";
import { evaluateRunAction } from "../runs/execute/policyGate.js";
import { checkEditedSpend, spendOf } from "../runs/execute/spend.js";
import { wakeRun } from "../runs/wake/wakeRun.js";
import { checkEditArgs, checkEditChanges } from "./checkEditArgs.js";
import { decisionArgsProblem } from "./decisionArgsProblem.js";
import { resolveEditArgs } from "./resolveEditArgs.js";
import type { ApprovalDecision } from "./schemas.js";
import { viewApproval } from "./viewApproval.js";

/**
 * Records one approver's vote (lib/policy castApprovalVote: agent keys 403, N distinct approvers,
 * one vote per approver, one reject rejects) and wakes the run once the approval is decided. An
 * edit is re-validated against the action module's schema, the command budget and every limit of
 * the key's policy in every unit (evaluatePolicy): an edit past any limit is refused (422) and the
 * approval stays pending, so nothing moves.
 */
export async function decideApproval(
  db: Kysely<Database>,
  principal: Principal,
  token: string,
  decision: ApprovalDecision,
) {
  // Every caller (REST, MCP, the typed client) meets the rule the REST body schema states: args
  // only with an edit, and an edit names something, before any vote is cast.
  const problem = decisionArgsProblem(decision);
  if (problem) throw new ClientError("validation_failed", problem);
  const vote = await castApprovalVote(db, {
    principal,
    token,
    vote: decision,
    checkEdit: (trx, approval, args) => checkEdit(trx, approval, args),
  });
  const approval = await db
    .selectFrom("approval_requests")
    .selectAll()
    .where("token", "=", token)
    .executeTakeFirstOrThrow();
  await appendRunEvent(db, {
    runId: approval.run_id,
    type: vote.final ? "approval.decided" : "approval.vote",
    data: {
      index: approval.step_index,
      token,
      decision: decision.decision,
      by: principal.keyId,
      approvals: vote.approvals,
      required: vote.required,
    },
    dedupeKey: vote.final
      ? `${approval.run_id}:${approval.step_index}:decided`
      : `${approval.run_id}:${approval.step_index}:vote:${principal.keyId}:${decision.decision}`,
  });
  const answer = (resumed: boolean) => ({
    ...viewApproval(approval),
    approvals: vote.approvals,
    required: vote.required,
    resumed,
  });
  if (!vote.final) return answer(false);
  // Durability tests: die once the decision is stored, before the run is woken (the 200 goes out
  // first); the approval reconciler must wake it.
  if (injectFault("after-decision", { token }, 200)) return answer(false);
  deliverNotificationsSoon(db);
  const run = await db
    .selectFrom("runs")
    .select("workflow_run_id")
    .where("id", "=", approval.run_id)
    .executeTakeFirstOrThrow();
  return answer(
    run.workflow_run_id
      ? await wakeRun(run.workflow_run_id, token, {
          kind: "approval",
          decision: decision.decision,
        })
      : false,
  );
}

/**
 * An edit, re-checked: only fields of the held action and something changed (400), the module's
 * schema, the command budget, then every policy limit.
 */
async function checkEdit(
  trx: Transaction<Database>,
  approval: ApprovalRequest,
  args: Record<string, unknown>,
): Promise<Action> {
  const run = await trx
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", approval.run_id)
    .executeTakeFirstOrThrow();
  if (run.kind === "subscription") {
    // A renewal pays the service's price for one period: there is nothing an edit could change.
    throw new ClientError(
      "unprocessable",
      "A subscription renewal's approval cannot be edited: approve or reject it",
    );
  }
  const original = approval.action as Action;
  // Refused before the schema, which would drop unknown fields and overwrite `type` silently.
  checkEditArgs(original, args);
  const edited = validate(
    getActionModule(original.type).schema,
    {
      ...withoutWholeBalance(original, args),
      ...resolveEditArgs(original, args),
      type: original.type,
    },
    "edited action",
  ) as Action;
  checkEditChanges(original, edited, args);
  await checkEditedSpend(trx, { run, index: approval.step_index, action: edited });
  const context: ActionContext = { db: trx, run, chain: getChainContext() };
  const price = chainPricer(context.chain, trx);
  const spend = await spendOf(context, edited, undefined, price);
  const verdict = await evaluateRunAction(trx, {
    run,
    action: edited,
    spend,
    chain: context.chain,
    price,
  });
  if (verdict.outcome === "refuse") throw new PolicyRuleError(verdict.rule, verdict.message);
  // The value approvers are shown is the edited action's, not the one first asked.
  await trx
    .updateTable("approval_requests")
    .set({ amount_usd: spend?.usdAmount ?? null })
    .where("token", "=", approval.token)
    .execute();
  if (verdict.outcome === "hold" && verdict.requiredApprovals > approval.required_approvals) {
    // The edit needs a larger quorum than the request asked for: it asks for that one now.
    await trx
      .updateTable("approval_requests")
      .set({ required_approvals: verdict.requiredApprovals })
      .where("token", "=", approval.token)
      .execute();
  }
  return edited;
}

/**
 * A whole-balance action (`all`) whose amount an approver edits becomes that fixed amount: the
 * step would otherwise read the whole balance again when it runs and ignore the edit, so an
 * approver who cut "all my USDC" down to 1 USDC would have approved the whole wallet.
 */
function withoutWholeBalance(action: Action, args: Record<string, unknown>): Action {
  if (!("all" in action) || !action.all) return action;
  const amountField = action.type === "swap" ? "amountIn" : "amount";
  if (!(amountField in args)) return action;
  const { all: _wholeBalance, ...fixed } = action;
  return fixed as Action;
}
