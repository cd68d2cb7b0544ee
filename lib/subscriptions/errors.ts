import { BaseError, type ErrorKind } from "../errors/index.js";

/** No subscription has the given id. */
export class SubscriptionNotFoundError extends BaseError {
  static override defaultKind: ErrorKind = "not_found";
  override name = "SubscriptionNotFoundError";
  constructor(id: string) {
    super(`Subscription ${id} not found`);
  }
}

/**
 * The session already has an active subscription to the service, or another subscribe step is
 * paying the first period of one (`paying`: the id is the one that subscription will get).
 */
export class SubscriptionConflictError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "SubscriptionConflictError";
  readonly subscriptionId: string;
  constructor(subscriptionId: string, serviceId: string, state: "active" | "paying" = "active") {
    super(
      state === "paying"
        ? `The session is already subscribing to service ${serviceId}: the first period of subscription ${subscriptionId} is being paid`
        : `The session already has an active subscription ${subscriptionId} to service ${serviceId}`,
    );
    this.subscriptionId = subscriptionId;
  }
}

/**
 * Access to a subscription service is refused: no subscription, or it was cancelled, failed,
 * or its paid period ended without a renewal. Refused; the HTTP layer answers 403 (see
 * lib/http/errors.ts) because a paid route's contract says "forbidden", not "unprocessable".
 */
export class SubscriptionInactiveError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
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
    super(`Session ${sessionId} ${why} to service ${serviceId}${detail ? ` (${detail})` : ""}`);
    this.reason = reason;
  }
}
