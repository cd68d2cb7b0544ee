import type { Kysely } from "kysely";
import { getActionModule } from "../../actions/registry.js";
import type { ActionType } from "../../actions/schemas.js";
import type { ActionContext, ActionOutcome, Spend } from "../../actions/types.js";
import { getChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { hangStepOnce } from "../../faults/hangStepOnce.js";
import { injectFault } from "../../faults/injectFault.js";
import { log } from "../../log.js";
import { chainPricer } from "../../policy/chainPricer.js";
import { guardPayee, PayeeRefusedError } from "../../policy/index.js";
import { bookFailedStepGas } from "./bookFailedStepGas.js";
import { type ActionResult, openGate } from "./openGate.js";
import { finishPolicySpend, policyActionOf } from "./policyGate.js";
import { policyRefusal } from "./policyRefusal.js";
import { recordOutcome } from "./recordOutcome.js";
import { releaseUnsentSpend } from "./releaseUnsentSpend.js";
import { reserveSpend, settleSpend, spendOf } from "./spend.js";
import { failRunAndStop, hintsOf, messageOf, retryLater, routeStepError } from "./stepErrors.js";
import { type StepEvidence, stepEvidence } from "./stepEvidence.js";

/** Input of an action step (workflows/steps/<type>.ts). */
export interface ActionStepParameters {
  runId: string;
  index: number;
  /**
   * Set after a chain or payment wait: the action runs again (idempotently, so it finds its
   * earlier transaction or payment instead of sending another) to collect the outcome.
   */
  resume?: boolean;
  /**
   * The wait timed out: an outcome still pending on the same event now fails the action instead of
   * waiting again.
   */
  finalAttempt?: boolean;
  /**
   * The hook token the workflow waited on before this attempt, when it may wait once more: an
   * outcome pending on another token (the step moved on to its next transaction) answers
   * `newWait`, also on a final attempt, instead of failing. Without it (the workflow's last
   * allowed wait, or a run started before the workflow passed it) a pending outcome is a race
   * with the watcher, and a final attempt fails.
   */
  waitedOn?: string;
}

export type { ActionResult } from "./openGate.js";

/**
 * One planned action of type `type`: gate it (cancel flag, approval decision), reserve its spend,
 * perform it through its module, record it. Idempotent: a completed action returns its stored
 * result, and the action itself is keyed by `${runId}:${index}` (transactions by step id, x402 by
 * a nonce derived from it), so a retry after a crash never moves money twice.
 *
 * Errors go by kind (see routeStepError): transient ones are retried with the reservation kept;
 * others fail the run, and the reservation goes back only if nothing the step sent may still land.
 */
export async function runActionStep(
  db: Kysely<Database>,
  type: ActionType,
  parameters: ActionStepParameters & { attempt: number },
): Promise<ActionResult> {
  const { runId, index } = parameters;
  const stepId = `${runId}:${index}`;
  await hangStepOnce({ runId, index });
  const gate = await openGate(db, { runId, index, resume: parameters.resume ?? false });
  if (!gate.go) {
    if (gate.refusal) await failRunAndStop(db, runId, { ...gate.refusal, step: index });
    return gate.result;
  }
  const { run, action, approvedToken, completion } = gate;
  const label = `Action ${index + 1} (${action.type})`;
  if (action.type !== type) {
    // The workflow dispatched to the wrong step: a bug, never worth a retry.
    await failRunAndStop(db, runId, {
      code: "action_failed",
      message: `${label} was sent to the ${type} step`,
      step: index,
    });
  }
  const started = Date.now();
  let spend: Spend | undefined;
  let outcome: ActionOutcome | undefined;
  let refusal: string | undefined;
  let chain: ActionContext["chain"] | undefined;
  // A failing step may have paid gas (a transaction mined and reverted, an approval mined before
  // it): the run's cost says so before the run is failed (once: each item names its transaction).
  const failStep = async (failure: Parameters<typeof failRunAndStop>[2]) => {
    await bookFailedStepGas(db, { runId, stepId, chain });
    return failRunAndStop(db, runId, failure);
  };
  try {
    chain = getChainContext();
    const context: ActionContext = { db, run, chain };
    // One pricer for the step: the spend and the gate value it at the same pool read.
    const price = chainPricer(context.chain, db);
    spend = await spendOf(context, action, stepId, price);
    // Policy gate (issue 13): freezes, the key's policy and its windows, right before money moves.
    // A resumed step that sent its money collects the outcome whatever the gate says; one whose
    // send can no longer land (a dropped transaction, a voided authorization) sends anew: gated.
    if (
      !parameters.resume ||
      (await stepEvidence(db, stepId, { ignoreUnsent: true })).state === "nothing"
    )
      refusal = await policyRefusal(db, {
        run,
        index,
        action,
        spend,
        context,
        approvedToken,
        price,
      });
    if (refusal === undefined) {
      // On a retry, what the first attempt reserved bounds what this one may spend.
      if (spend) spend = await reserveSpend(db, { run, index, spend, resume: parameters.resume });
      outcome = await getActionModule(action.type).perform(context, action, {
        stepId,
        index,
        spend,
        checkPayee: guardPayee(db, {
          keyId: run.api_key_id,
          action: policyActionOf(action, spend, context.chain.network),
        }),
      });
    }
  } catch (error) {
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, label);
    // Unclear is not failed: a transaction or authorization that may still land keeps its spend
    // (and so does one a second delivery of this step is sending right now).
    const evidence: StepEvidence = spend
      ? await releaseUnsentSpend(db, { runId, index })
      : { state: "nothing" };
    log.info("action failed", { runId, index, error: messageOf(error), evidence: evidence.state });
    return failStep({
      code: error instanceof PayeeRefusedError ? "policy_refused" : "action_failed",
      message: `${label} failed: ${messageOf(error)}${
        evidence.state === "pending"
          ? ` (${evidence.detail}; its budget stays reserved until the chain says what happened)`
          : evidence.state === "landed"
            ? ` (${evidence.detail}; its budget counts it as spent)`
            : ""
      }`,
      step: index,
      ...hintsOf(error),
    });
  }
  if (refusal !== undefined || outcome === undefined) {
    return failStep({
      code: "policy_refused",
      message: `${label} ${refusal ?? "was refused by the policy gate"}`,
      step: index,
    });
  }
  // Unclear is not failed: a resumed step that moved on to another transaction (or payment) waits
  // for that one, final attempt or not; the workflow bounds how many times.
  const newWait =
    outcome.waitFor !== undefined &&
    parameters.waitedOn !== undefined &&
    outcome.waitFor.token !== parameters.waitedOn;
  if (outcome.waitFor && parameters.finalAttempt && !newWait) {
    // Still pending after the whole wait: fail the action and say which transaction to watch. The
    // reservation stays until the chain says what happened (finishEndedRuns settles or releases it).
    return failStep({
      code: "event_timeout",
      message: `${label} is still pending after its wait; it may still settle: ${JSON.stringify(outcome.txHashes ?? [])}`,
      step: index,
    });
  }
  if (spend && !outcome.waitFor) {
    await settleSpend(db, { runId, index, actual: outcome.spent });
    await finishPolicySpend(db, {
      runId,
      index,
      outcome: "settle",
      actualAmount: outcome.spent?.amount,
    });
  }
  const result = await recordOutcome(db, {
    run,
    index,
    action,
    outcome,
    startedAt: started,
    ...(completion ? { completion } : {}),
    ...(newWait ? { newWait } : {}),
  });
  // Durability tests: die between this step's work and its checkpoint.
  injectFault("after-action", { runId, index });
  return newWait && result.status === "waiting" ? { ...result, newWait: true } : result;
}
