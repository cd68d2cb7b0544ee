import { getDb } from "../../lib/db/index.js";
import { type RenewalStep, renewSubscriptionStep } from "../../lib/runs/steps/renewSubscription.js";

/** Step: decide and, when due, pay one renewal. */
export async function renewSubscription(parameters: {
  runId: string;
  subscriptionId: string;
}): Promise<RenewalStep> {
  "use step";
  return renewSubscriptionStep(await getDb(), parameters);
}
