import { type Kysely, sql } from "kysely";
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

/**
 * Enqueues an event for every enabled endpoint subscribed to its type. Pass the transaction that
 * makes the change the event reports: the event then exists exactly when the change does (a
 * transactional outbox). Sending happens in deliverDueNotifications.
 */
export async function emitNotification(
  db: Kysely<Database>,
  parameters: EmitNotificationParameters,
): Promise<EmitNotificationReturnType> {
  const now = parameters.now ?? new Date();
  const eventId = parameters.dedupeKey
    ? derivedId("evt", `${parameters.type}:${parameters.dedupeKey}`)
    : newId("evt");
  const endpoints = await db
    .selectFrom("notification_endpoints")
    .select("id")
    .where("disabled_at", "is", null)
    .where(sql<boolean>`events @> ${JSON.stringify([parameters.type])}::jsonb`)
    .execute();
  if (endpoints.length === 0) return { eventId, enqueued: 0 };
  const envelope: NotificationEnvelope = {
    id: eventId,
    type: parameters.type,
    createdAt: now.toISOString(),
    data: parameters.data,
  };
  const body = JSON.stringify(envelope);
  const inserted = await db
    .insertInto("notification_deliveries")
    .values(
      endpoints.map((endpoint) => ({
        id: newId("ntd"),
        endpoint_id: endpoint.id,
        event_id: eventId,
        event_type: parameters.type,
        body,
        status: "pending" as const,
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .onConflict((conflict) => conflict.columns(["endpoint_id", "event_id"]).doNothing())
    .returning("id")
    .execute();
  return { eventId, enqueued: inserted.length };
}
