import { createHook, sleep } from "workflow";
import type { ApprovalWake } from "../lib/runs/wake/wakes.js";
import { renewSubscription } from "./steps/renewSubscription.js";

/**
 * A subscription's life: sleep (at zero compute, for days if need be) until the paid period ends,
 * renew through x402 within policy and budget, repeat. A renewal the policy holds waits for its
 * approvers (hook raced against the approval's expiry); the same step then reads the decision, and
 * after a timeout expires a request still pending. Stops when the subscription is cancelled, the
 * key's policy, an approver or the budget refuses a renewal, or renewals keep failing; a freeze
 * only defers it.
 */
export async function subscriptionRenewal(input: { runId: string; subscriptionId: string }) {
  "use workflow";
  let approvalTimedOut = false;
  for (;;) {
    const next = await renewSubscription({ ...input, approvalTimedOut });
    approvalTimedOut = false;
    if (next.action === "stop") return { runId: input.runId, stopped: next.reason };
    if (next.action === "approval") {
      // The approval row is the source of truth; the hook only wakes us. The losing sleep cannot
      // be cancelled; its timer later finds nothing to do (as in agentCommand).
      const approval = createHook<ApprovalWake>({ token: next.token });
      const woke = await Promise.race([
        approval.then(() => "decided" as const),
        sleep(`${next.timeoutSeconds}s`).then(() => "timeout" as const),
      ]);
      approvalTimedOut = woke === "timeout";
    } else if (next.action === "wait") await sleep(new Date(next.until));
    else await sleep(`${next.afterSeconds}s`);
  }
}
