import { createHook, getWorkflowMetadata, sleep } from "workflow";
import type { ApprovalWake, ChainWake, PaymentWake } from "../lib/runs/wake/wakes.js";
import { confirmAction } from "./steps/confirmAction.js";
import { executeAction } from "./steps/executeAction.js";
import { expireWait } from "./steps/expireWait.js";
import { prepareRun } from "./steps/prepareRun.js";
import { requestApproval } from "./steps/requestApproval.js";

/** How long a run waits for a receipt or a settlement before giving up on the event. */
const eventTimeout = "30m";

/**
 * One command, end to end: understand and plan, then for each planned action a policy-gated
 * approval wait (hook raced against a timeout), the action itself, and, when the action submitted
 * a transaction or an asynchronous payment, a wait for that event. This function only
 * orchestrates; every read and write happens in a step, and each step is idempotent.
 */
export async function agentCommand(input: { runId: string }) {
  "use workflow";
  const { runId } = input;
  const { workflowRunId } = getWorkflowMetadata();

  const prepared = await prepareRun({ runId, workflowRunId });
  if (prepared.status !== "ready") return { runId, status: prepared.status };

  for (const action of prepared.actions) {
    if (action.requiresApproval) {
      const { token, timeoutSeconds } = await requestApproval({ runId, index: action.index });
      const approval = createHook<ApprovalWake>({ token });
      const woke = await Promise.race([
        approval.then(() => "decided" as const),
        sleep(`${timeoutSeconds}s`).then(() => "timeout" as const),
      ]);
      // The approval row is the source of truth; the hook only wakes us. executeAction reads it.
      if (woke === "timeout") {
        const expired = await expireWait({ runId, index: action.index, kind: "approval" });
        if (expired.status !== "running") return { runId, status: expired.status };
      }
    }

    let result = await executeAction({ runId, index: action.index });
    if (result.status === "waiting" && result.waitFor) {
      // A transaction or a settlement is still in flight: sleep at zero compute until the chain
      // watcher or the payment webhook resumes the hook keyed by its hash or nonce.
      const event = createHook<ChainWake | PaymentWake>({ token: result.waitFor.token });
      const woke = await Promise.race([
        event.then(() => "event" as const),
        sleep(eventTimeout).then(() => "timeout" as const),
      ]);
      const token = result.waitFor.token;
      result = await confirmAction({
        runId,
        index: action.index,
        token,
        timedOut: woke === "timeout",
      });
      // Woken but still pending only happens in a race with the watcher: one last look, then give up.
      if (result.status === "waiting") {
        result = await confirmAction({ runId, index: action.index, token, timedOut: true });
      }
    }
    if (result.status !== "completed") return { runId, status: result.status };
  }
  return { runId, status: "completed" };
}
