import type { Kysely } from "kysely";
import type { Action } from "../../actions/schemas.js";
import type { ActionContext, Spend } from "../../actions/types.js";
import type { Database, Run } from "../../db/database.js";
import { countApprovals } from "../../policy/index.js";
import { gateRunAction } from "./policyGate.js";
import { stepEvidence } from "./stepEvidence.js";

/**
 * Runs the policy gate for an action step. Returns undefined when the action may go on (its
 * windows are then reserved), else why not, naming the rule ("refused: the agent wallet is
 * frozen … (rule frozen.wallet)"). A retried step that already sent something is let through: its
 * idempotent perform finds what it sent instead of sending again, so no money moves twice.
 */
export async function policyRefusal(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    index: number;
    action: Action;
    spend: Spend | undefined;
    context: ActionContext;
  },
): Promise<string | undefined> {
  const { run, index, action, spend, context } = parameters;
  const approval = await db
    .selectFrom("approval_requests")
    .select("token")
    .where("run_id", "=", run.id)
    .where("step_index", "=", index)
    .where("status", "in", ["approved", "edited"])
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  const approvalsGranted = approval ? await countApprovals(db, approval.token) : 0;
  const decision = await gateRunAction(db, {
    run,
    index,
    action,
    spend,
    chain: context.chain,
    approvalsGranted,
  });
  if (decision.outcome === "allow") return undefined;
  if ((await stepEvidence(db, `${run.id}:${index}`)).state !== "nothing") return undefined;
  return `${decision.message} (rule ${decision.rule})`;
}
