import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type RenewalStep,
  renewSubscription as renew,
} from "../../lib/subscriptions/renewal/renewSubscription.js";

/** Step "renewSubscription": decide and, when due, pay one renewal. */
export async function renewSubscription(parameters: {
  runId: string;
  subscriptionId: string;
  /** The wait for the renewal's approval timed out: a request still pending expires now. */
  approvalTimedOut?: boolean;
}): Promise<RenewalStep> {
  "use step";
  const { attempt } = getStepMetadata();
  return renew(await getDb(), { ...parameters, attempt });
}
