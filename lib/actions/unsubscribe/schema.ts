import { z } from "zod";
import { serviceId, serviceName } from "../fields.js";

/** Cancel the session's active subscription to a service. */
export const UnsubscribeAction = z
  .object({
    type: z.literal("unsubscribe"),
    serviceId: serviceId.describe("Catalogue id of the service to stop paying"),
    serviceName: serviceName.optional(),
  })
  .describe("Cancel a subscription");
export type UnsubscribeAction = z.infer<typeof UnsubscribeAction>;
