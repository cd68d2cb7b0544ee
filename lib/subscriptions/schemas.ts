import { z } from "zod";
import { serviceId } from "../registry/schemas.js";
import { subscriptionPeriods } from "./nextRenewal.js";

/** A subscription's id. */
export const subscriptionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, "must be a subscription id");

/** Input of createSubscription (and body of POST /api/subscriptions). */
export const createSubscriptionSchema = z.object({
  sessionId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe("Session that pays for the subscription (default: a new session, as for execute)"),
  serviceId: serviceId.describe("Registered service to subscribe to"),
  period: z.enum(subscriptionPeriods).describe("How often it renews: daily, weekly or monthly"),
});

/**
 * Body of POST /api/subscriptions: strict like every other body. A field it does not know (a
 * `maxPrice`, say) is refused, not dropped: the caller would believe in a cap that does not exist
 * while the subscription pays the service's price. createSubscription keeps the lenient schema, as
 * its callers add the subscription's id.
 */
export const createSubscriptionRequest = createSubscriptionSchema.strict();

/** Filters of listSubscriptions (and the query of GET /api/subscriptions). */
export const listSubscriptionsSchema = z.object({
  sessionId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe("Only this session's subscriptions"),
  serviceId: serviceId.optional(),
  status: z.enum(["active", "cancelled", "expired", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().describe("nextCursor of the previous page"),
});
