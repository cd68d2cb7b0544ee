import { ClientError } from "../errors/index.js";

/** No subscription has the given id (404). */
export class SubscriptionNotFoundError extends ClientError {
  override name = "SubscriptionNotFoundError";
  constructor(id: string) {
    super("not_found", `Subscription ${id} not found`);
  }
}

/** The session already has an active subscription to the service (409). */
export class SubscriptionConflictError extends ClientError {
  override name = "SubscriptionConflictError";
  readonly subscriptionId: string;
  constructor(subscriptionId: string, serviceId: string) {
    super(
      "conflict",
      `The session already has an active subscription ${subscriptionId} to service ${serviceId}`,
    );
    this.subscriptionId = subscriptionId;
  }
}

/**
 * Access to a subscription service is refused: no subscription, or it was cancelled, failed,
 * or its paid period ended without a renewal. Answered with 403 and the reason.
 */
export class SubscriptionInactiveError extends ClientError {
  override name = "SubscriptionInactiveError";
  readonly reason: "none" | "cancelled" | "expired" | "failed" | "unpaid";
  constructor(
    sessionId: string,
    serviceId: string,
    reason: SubscriptionInactiveError["reason"],
    detail?: string,
  ) {
    const why = {
      none: "has no subscription",
      cancelled: "cancelled its subscription",
      expired: "has an expired subscription",
      failed: "has a subscription whose renewals failed",
      unpaid: "has a subscription whose current period is not paid",
    }[reason];
    super(
      "forbidden",
      `Session ${sessionId} ${why} to service ${serviceId}${detail ? ` (${detail})` : ""}`,
    );
    this.reason = reason;
  }
}
