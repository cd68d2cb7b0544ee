import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/database.js";
import { readIdCursor } from "../http/readIdCursor.js";
import { notificationEventType } from "./events.js";

/** Query of GET /api/notifications/deliveries. */
export const listDeliveriesQuery = z
  .object({
    status: z.enum(["pending", "delivered", "failed"]).optional(),
    endpointId: z.string().max(100).optional(),
    eventType: notificationEventType.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(100).optional().describe("The last delivery id of the previous page"),
  })
  .strict();

/** One delivery (an event to one endpoint) with every attempt made. */
export interface DeliveryInfo {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  attempts: {
    attempt: number;
    startedAt: Date;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
  }[];
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** Lists deliveries newest first (keyset on id), each with its attempt log. */
export async function listDeliveries(
  db: Kysely<Database>,
  parameters: z.input<typeof listDeliveriesQuery> = {},
): Promise<{ deliveries: DeliveryInfo[]; nextCursor: string | null }> {
  const query = listDeliveriesQuery.parse(parameters);
  const cursor = readIdCursor(query.cursor, "ntd");
  let select = db
    .selectFrom("notification_deliveries")
    .selectAll()
    .orderBy("id", "desc")
    .limit(query.limit + 1);
  if (query.status) select = select.where("status", "=", query.status);
  if (query.endpointId) select = select.where("endpoint_id", "=", query.endpointId);
  if (query.eventType) select = select.where("event_type", "=", query.eventType);
  if (cursor) select = select.where("id", "<", cursor);
  const rows = await select.execute();
  const page = rows.slice(0, query.limit);
  const attempts =
    page.length === 0
      ? []
      : await db
          .selectFrom("notification_attempts")
          .selectAll()
          .where(
            "delivery_id",
            "in",
            page.map((row) => row.id),
          )
          .orderBy("attempt")
          .execute();
  return {
    deliveries: page.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      eventType: row.event_type,
      status: row.status,
      attempts: attempts
        .filter((attempt) => attempt.delivery_id === row.id)
        .map((attempt) => ({
          attempt: attempt.attempt,
          startedAt: attempt.started_at,
          durationMs: attempt.duration_ms,
          statusCode: attempt.status_code,
          error: attempt.error,
        })),
      nextAttemptAt: row.status === "pending" ? row.next_attempt_at : null,
      createdAt: row.created_at,
      deliveredAt: row.delivered_at,
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
