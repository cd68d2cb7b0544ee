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
