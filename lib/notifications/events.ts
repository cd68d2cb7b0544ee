import { z } from "zod";

/** Every event Paygent notifies about. */
export const notificationEventTypes = [
  "approval.required",
  "approval.decided",
  "run.completed",
  "run.failed",
  "limit.approaching",
  "key.frozen",
] as const;

/** One notification event type. */
export type NotificationEventType = (typeof notificationEventTypes)[number];

/** zod enum of the event types (endpoint subscriptions, delivery filters). */
export const notificationEventType = z
  .enum(notificationEventTypes)
  .describe(
    "approval.required (with a human summary and an approve link), approval.decided, run.completed, run.failed, limit.approaching (80% of a window), key.frozen (also sent for a wallet freeze)",
  );

/**
 * What an endpoint receives as the POST body: the event id is also the `x-paygent-event-id` header
 * and stays the same across retries, so a receiver can drop duplicates.
 */
export interface NotificationEnvelope<T = Record<string, unknown>> {
  id: string;
  type: NotificationEventType;
  createdAt: string;
  data: T;
}
