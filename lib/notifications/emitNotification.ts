import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../db/database.js";
import { derivedId, newId } from "../ids.js";
import type { NotificationEnvelope, NotificationEventType } from "./events.js";

export interface EmitNotificationParameters {
  type: NotificationEventType;
  data: Record<string, unknown>;
  /**
   * Makes the event id deterministic (e.g. `approval.required:<token>`), so a retried step that
   * emits again enqueues nothing new: one event, one delivery per endpoint.
   */
  dedupeKey?: string;
  now?: Date;
}

export interface EmitNotificationReturnType {
  eventId: string;
  /** Deliveries enqueued by this call (0 when no endpoint listens, or on a deduplicated replay). */
  enqueued: number;
}

/** One notification_deliveries row as emitNotification writes it. */
export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: NotificationEventType;
  body: string;
  status: "pending";
  next_attempt_at: Date;
  created_at: Date;
}

/**
 * Enqueues an event for every enabled endpoint subscribed to its type. Pass the transaction that
 * makes the change the event reports: the event then exists exactly when the change does (a
 * transactional outbox). Sending happens in deliverDueNotifications.
 */
export async function emitNotification(
  db: Kysely<Database>,
  parameters: EmitNotificationParameters,
): Promise<EmitNotificationReturnType> {
  const endpoints = await subscribedEndpoints(db, parameters.type).execute();
  const { eventId, deliveries } = notificationDeliveries(
    parameters,
    endpoints.map((endpoint) => endpoint.id),
  );
  if (deliveries.length === 0) return { eventId, enqueued: 0 };
  const inserted = await db
    .insertInto("notification_deliveries")
    .values(deliveries)
    .onConflict((conflict) => conflict.columns(["endpoint_id", "event_id"]).doNothing())
    .returning("id")
    .execute();
  return { eventId, enqueued: inserted.length };
}

/** The enabled endpoints subscribed to an event type (a query, to run alone or as a sub-select). */
export function subscribedEndpoints(
  db: Kysely<Database>,
  type: NotificationEventType,
): SelectQueryBuilder<Database, "notification_endpoints", { id: string }> {
  return db
    .selectFrom("notification_endpoints")
    .select("id")
    .where("disabled_at", "is", null)
    .where(sql<boolean>`events @> ${JSON.stringify([type])}::jsonb`);
}

/**
 * The event's id and one pending delivery per endpoint (what emitNotification inserts, for a
 * caller that read the endpoints and writes the rows in statements of its own).
 */
export function notificationDeliveries(
  parameters: EmitNotificationParameters,
  endpointIds: string[],
): { eventId: string; deliveries: DeliveryRow[] } {
  const now = parameters.now ?? new Date();
  const eventId = parameters.dedupeKey
    ? derivedId("evt", `${parameters.type}:${parameters.dedupeKey}`)
    : newId("evt");
  const envelope: NotificationEnvelope = {
    id: eventId,
    type: parameters.type,
    createdAt: now.toISOString(),
    data: parameters.data,
  };
  const body = JSON.stringify(envelope);
  return {
    eventId,
    deliveries: endpointIds.map((endpointId) => ({
      id: newId("ntd"),
      endpoint_id: endpointId,
      event_id: eventId,
      event_type: parameters.type,
      body,
      status: "pending" as const,
      next_attempt_at: now,
      created_at: now,
    })),
  };
}
