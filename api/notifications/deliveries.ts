import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { listDeliveries, listDeliveriesQuery } from "../../lib/notifications/index.js";
import { notificationDeliveryPage } from "../../lib/notifications/responses.js";

/** GET /api/notifications/deliveries — every delivery with its attempts, newest first (admin). */
export const GET = endpoint(
  {
    route: "/api/notifications/deliveries",
    method: "GET",
    operationId: "listNotificationDeliveries",
    summary: "Outbound webhook deliveries with their attempts, newest first (admin)",
    tags: ["notifications"],
    auth: "admin",
    query: listDeliveriesQuery,
    success: {
      status: 200,
      description: "A page of deliveries",
      schema: notificationDeliveryPage,
    },
  },
  async ({ query }) => await listDeliveries(await getDb(), query),
);
