import { createHook, getWorkflowMetadata, sleep } from "workflow";
import type { ActionType } from "../lib/actions/schemas.js";
import type { ActionResult, ActionStepParameters } from "../lib/runs/execute/runActionStep.js";
import type { ApprovalWake, ChainWake, PaymentWake } from "../lib/runs/wake/wakes.js";
import { balance } from "./steps/balance.js";
import { bet } from "./steps/bet.js";
import { discover } from "./steps/discover.js";
import { expireApproval } from "./steps/expireApproval.js";
import { parse } from "./steps/parse.js";
import { pay } from "./steps/pay.js";
import { plan } from "./steps/plan.js";
import { redeem } from "./steps/redeem.js";
import { requestApproval } from "./steps/requestApproval.js";
import { sellShares } from "./steps/sellShares.js";
import { subscribe } from "./steps/subscribe.js";
import { swap } from "./steps/swap.js";
import { transfer } from "./steps/transfer.js";
import { unsubscribe } from "./steps/unsubscribe.js";

/** How long a run waits for a receipt or a settlement before giving up on the event. */
const eventTimeout = "30m";

/**
 * How many events one action may wait on in turn (each for up to eventTimeout): a step that sends
 * more than one transaction waits on each (an approval, then its swap or trade), and a dropped one
 * is sent again under a new hash. After the last allowed wait, a step still pending fails.
 */
const maxEventWaits = 4;

/** Each action type's step, named by the type (a new action adds its step file and a line here). */
const actionSteps: Record<ActionType, (parameters: ActionStepParameters) => Promise<ActionResult>> =
  // markets (issue 19): bet, sellShares, redeem
  { balance, transfer, swap, pay, discover, subscribe, unsubscribe, bet, sellShares, redeem };

/**
 * One command, end to end, as named steps: parse, plan, then for each planned action a
 * policy-gated approval wait (hook raced against a timeout), the action's own step (swap, pay, …),
 * and, when the action submitted a transaction or an asynchronous payment, a wait for that event
 * followed by the same step again to collect the outcome (again for each further transaction the
 * step sends, up to maxEventWaits). This function only orchestrates; every
 * read and write happens in a step, and each step is idempotent.
 */
export async function agentCommand(input: { runId: string }) {
  "use workflow";
  const { runId } = input;
  const { workflowRunId } = getWorkflowMetadata();

  const parsed = await parse({ runId, workflowRunId });
  if (parsed.status !== "parsed") return { runId, status: parsed.status };
  const planned = await plan({ runId });
  if (planned.status !== "ready") return { runId, status: planned.status };

  for (const action of planned.actions) {
    if (action.requiresApproval) {
      const requested = await requestApproval({ runId, index: action.index });
      if (requested.ended) return { runId, status: requested.ended };
      const { token, timeoutSeconds } = requested;
      const approval = createHook<ApprovalWake>({ token });
      // The losing sleep cannot be cancelled (the DevKit has no API for it): the runtime logs it as
      // an "uncommitted operation" when the run ends; its timer later finds the run finished and is
      // dropped, so it is harmless (README, "Failures, retries and reservations").
      const woke = await Promise.race([
        approval.then(() => "decided" as const),
        sleep(`${timeoutSeconds}s`).then(() => "timeout" as const),
      ]);
      // The approval row is the source of truth; the hook only wakes us. The action step reads it.
      if (woke === "timeout") {
        const expired = await expireApproval({ runId, index: action.index });
        if (expired.status !== "running") return { runId, status: expired.status };
      }
    }

    const step = actionSteps[action.type];
    let result = await step({ runId, index: action.index });
    for (let waits = 1; result.status === "waiting" && result.waitFor; waits++) {
      // A transaction or a settlement is still in flight: sleep at zero compute until the chain
      // watcher or the payment webhook resumes the hook keyed by its hash or nonce.
      const waitedOn = result.waitFor.token;
      const event = createHook<ChainWake | PaymentWake>({ token: waitedOn });
      const woke = await Promise.race([
        event.then(() => "event" as const),
        sleep(eventTimeout).then(() => "timeout" as const),
      ]);
      // The same step again: idempotent by step id, it finds what it sent and records the outcome.
      // Told what it waited on, it may answer with a wait on its next transaction (`newWait`).
      result = await step({
        runId,
        index: action.index,
        resume: true,
        finalAttempt: woke === "timeout",
        ...(waits < maxEventWaits ? { waitedOn } : {}),
      });
      // The step moved on (its approval mined, its swap sent and pending): wait on that one too.
      // Only steps told `waitedOn` answer this, so runs recorded before it replay unchanged.
      if (result.status === "waiting" && result.newWait) continue;
      // Woken but still pending only happens in a race with the watcher: one last look, then give up,
      // unless that look finds the step moved on (a lagging node showed its approval pending, the
      // look sent its swap): that one is waited on too.
      if (result.status === "waiting") {
        result = await step({
          runId,
          index: action.index,
          resume: true,
          finalAttempt: true,
          ...(waits < maxEventWaits ? { waitedOn } : {}),
        });
        if (result.status === "waiting" && result.newWait) continue;
      }
      break;
    }
    if (result.status !== "completed") return { runId, status: result.status };
  }
  return { runId, status: "completed" };
}
