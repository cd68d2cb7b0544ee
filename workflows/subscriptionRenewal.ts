import { sleep } from "workflow";
import { renewSubscription } from "./steps/renewSubscription.js";

/**
 * A subscription's life: sleep (at zero compute, for days if need be) until the paid period ends,
 * renew through x402 within policy and budget, repeat. Stops when the subscription is cancelled, the
 * key's policy or the budget refuses a renewal, or renewals keep failing; a freeze only defers it.
 */
export async function subscriptionRenewal(input: { runId: string; subscriptionId: string }) {
  "use workflow";
  for (;;) {
    const next = await renewSubscription(input);
    if (next.action === "stop") return { runId: input.runId, stopped: next.reason };
    if (next.action === "wait") await sleep(new Date(next.until));
    else await sleep(`${next.afterSeconds}s`);
  }
}
