import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import { deliverNotificationsSoon } from "../../lib/notifications/deliverNotificationsSoon.js";
import {
  type RenewalStep,
  renewSubscription as renew,
} from "../../lib/subscriptions/renewal/renewSubscription.js";

/** Step "renewSubscription": decide and, when due, pay one renewal (or ask approvers for it). */
export async function renewSubscription(parameters: {
  runId: string;
  subscriptionId: string;
  /** The wait for the renewal's approval timed out: a request still pending expires now. */
  approvalTimedOut?: boolean;
}): Promise<RenewalStep> {
  "use step";
  const { attempt } = getStepMetadata();
  const db = await getDb();
  const next = await renew(db, { ...parameters, attempt });
  // A held renewal's approval.required goes out now, not at the next background check.
  if (next.action === "approval") deliverNotificationsSoon(db);
  return next;
}
