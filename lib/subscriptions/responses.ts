import { z } from "zod";
import { subscriptionPeriods } from "./nextRenewal.js";

/** A subscription as the API answers it. */
export const subscriptionResponse = z.object({
  id: z.string(),
  sessionId: z.string(),
  serviceId: z.string(),
  period: z.enum(subscriptionPeriods),
  status: z.enum(["active", "cancelled", "expired", "failed"]),
  runId: z.string().nullable().describe("The run that renews it"),
  renewals: z.number().int(),
  consecutiveFailures: z.number().int(),
  currentPeriodEnd: z.string().describe("Access is paid until this instant"),
  createdAt: z.string(),
  updatedAt: z.string(),
  cancelledAt: z.string().nullable(),
  price: z
    .object({
      amount: z.string().describe("Base units of the asset"),
      asset: z.string().describe("Token address"),
    })
    .nullable()
    .describe("The price agreed at subscribing: a renewal never pays more"),
});

/** GET /api/subscriptions. */
export const subscriptionPage = z.object({
  subscriptions: z.array(subscriptionResponse),
  nextCursor: z.string().nullable(),
});
