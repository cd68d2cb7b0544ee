import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { cancelSubscription } from "../../lib/subscriptions/cancelSubscription.js";
import { getSubscriptionFor } from "../../lib/subscriptions/getSubscriptionFor.js";
import { subscriptionResponse } from "../../lib/subscriptions/responses.js";
import { subscriptionId } from "../../lib/subscriptions/schemas.js";
import { stopRenewalRun } from "../../lib/subscriptions/stopRenewalRun.js";

/** GET /api/subscriptions/{id} — one subscription. */
export const GET = endpoint(
  {
    route: "/api/subscriptions/[id]",
    method: "GET",
    operationId: "getSubscription",
    summary: "One subscription",
    tags: ["subscriptions"],
    auth: "any",
    params: { id: subscriptionId },
    success: { status: 200, description: "The subscription", schema: subscriptionResponse },
  },
  async ({ principal, params }) => await getSubscriptionFor(await getDb(), principal, params.id),
);

/**
 * DELETE /api/subscriptions/{id} — cancels: no more renewals, and the renewal run ends at once
 * (status cancelled); the paid period stays usable.
 */
export const DELETE = endpoint(
  {
    route: "/api/subscriptions/[id]",
    method: "DELETE",
    operationId: "cancelSubscription",
    summary: "Cancel: no more renewals; the paid period stays usable",
    tags: ["subscriptions"],
    auth: ["admin", "agent"],
    params: { id: subscriptionId },
    success: {
      status: 200,
      description: "The cancelled subscription",
      schema: subscriptionResponse,
    },
  },
  async ({ principal, params }) => {
    const db = await getDb();
    await getSubscriptionFor(db, principal, params.id);
    const cancelled = await cancelSubscription(db, params.id);
    // The renewal run ends now rather than sleeping to the period's end (issue 20).
    if (cancelled.status === "cancelled") await stopRenewalRun(db, principal, cancelled.runId);
    return cancelled;
  },
);
