import type { Kysely } from "kysely";
import type { Action } from "../../actions/schemas.js";
import type { ActionContext, Spend } from "../../actions/types.js";
import type { Database, Run } from "../../db/database.js";
import { countApprovals, countAssignedApprovals, type PriceUsd } from "../../policy/index.js";
import { approvedTokenOf } from "./approvedTokenOf.js";
import { gateRunAction } from "./policyGate.js";
import { stepEvidence } from "./stepEvidence.js";

/**
 * Runs the policy gate for an action step. Returns undefined when the action may go on (its
 * windows are then reserved), else why not, naming the rule ("refused: the agent wallet is
 * frozen … (rule frozen.wallet)"). A retried step that already sent something is let through: its
 * idempotent perform finds what it sent instead of sending again, so no money moves twice. A
 * payment it wrote but never signed is not "sent": perform would sign it now.
 */
export async function policyRefusal(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    index: number;
    action: Action;
    spend: Spend | undefined;
    context: ActionContext;
    /** The step's approved request, when the gate read it (null: none); else it is read here. */
    approvedToken?: string | null;
    /** The pricer the step's spend was valued with, so each pool price is read once. */
    price?: PriceUsd;
  },
): Promise<string | undefined> {
  const { run, index, action, spend, context } = parameters;
  const token =
    parameters.approvedToken !== undefined
      ? parameters.approvedToken
      : await readApprovedToken(db, run.id, index);
  const approvalsGranted = token ? await countApprovals(db, token) : 0;
  // The approval was decided on its quorum, but a voter's key revoked since no longer counts
  // (countApprovals): short of the quorum it was asked with, it lets no money move, whether the
  // policy or the planner asked for it (the policy's own hold is re-counted by the gate below).
  const quorum = token ? await requiredApprovals(db, token) : 0;
  if (approvalsGranted < quorum) {
    const sent = await stepEvidence(db, `${run.id}:${index}`, { ignoreUnsent: true });
    if (sent.state === "nothing")
      return `refused: approval ${token} counts ${approvalsGranted} of the ${quorum} approvals it was decided on once votes of keys revoked since are left out (rule approvals.revoked)`;
  }
  const assignedApprovalsGranted =
    approvalsGranted > 0 ? await countAssignedApprovals(db, token!, run.api_key_id) : 0;
  const decision = await gateRunAction(db, {
    run,
    index,
    action,
    spend,
    chain: context.chain,
    approvalsGranted,
    assignedApprovalsGranted,
    price: parameters.price,
  });
  if (decision.outcome === "allow") return undefined;
  const sent = await stepEvidence(db, `${run.id}:${index}`, { ignoreUnsent: true });
  if (sent.state !== "nothing") return undefined;
  return `${decision.message} (rule ${decision.rule})`;
}

/** How many approvals the request was asked with (its quorum when it was decided). */
async function requiredApprovals(db: Kysely<Database>, token: string): Promise<number> {
  const row = await db
    .selectFrom("approval_requests")
    .select("required_approvals")
    .where("token", "=", token)
    .executeTakeFirst();
  return row?.required_approvals ?? 0;
}

/** The step's latest approved (or edited) approval request, if any. */
async function readApprovedToken(
  db: Kysely<Database>,
  runId: string,
  index: number,
): Promise<string | null> {
  const approval = await db
    .selectNoFrom((eb) => approvedTokenOf(eb, runId, index).as("token"))
    .executeTakeFirst();
  return approval?.token ?? null;
}
