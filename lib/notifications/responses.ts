import { z } from "zod";
import { timestamp } from "../http/timestamp.js";
import { notificationEventTypes } from "./events.js";

const events = z.array(z.enum(notificationEventTypes));

/** GET /api/notifications/endpoints (never their secrets). */
export const notificationEndpointList = z.object({
  endpoints: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      events,
      createdAt: timestamp,
      disabledAt: timestamp.nullable(),
    }),
  ),
});

/** POST /api/notifications/endpoints: the endpoint with its signing secret (shown once). */
export const createdNotificationEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  events,
  secret: z.string().describe("HMAC secret of the x-paygent-signature header, returned once"),
});

/** GET /api/notifications/deliveries. */
export const notificationDeliveryPage = z.object({
  deliveries: z.array(
    z.object({
      id: z.string(),
      endpointId: z.string(),
      eventId: z.string(),
      eventType: z.string(),
      status: z.enum(["pending", "delivered", "failed"]),
      attempts: z.array(
        z.object({
          attempt: z.number().int(),
          startedAt: timestamp,
          durationMs: z.number(),
          statusCode: z.number().int().nullable(),
          error: z.string().nullable(),
        }),
      ),
      nextAttemptAt: timestamp.nullable(),
      createdAt: timestamp,
      deliveredAt: timestamp.nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
