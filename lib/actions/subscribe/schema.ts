import { z } from "zod";
import { serviceId, serviceName } from "../fields.js";

/** Start a recurring x402 payment to a catalogue service (the first period is paid now). */
export const SubscribeAction = z
  .object({
    type: z.literal("subscribe"),
    serviceId: serviceId.describe("Catalogue id of the service subscribed to"),
    serviceName: serviceName.optional(),
    period: z.enum(["daily", "weekly", "monthly"]).describe("Billing period"),
  })
  .describe("Subscribe to a service");
export type SubscribeAction = z.infer<typeof SubscribeAction>;
