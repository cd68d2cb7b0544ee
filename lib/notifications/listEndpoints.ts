import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import type { NotificationEventType } from "./events.js";

/** An endpoint as listed: never its secret. */
export interface EndpointInfo {
  id: string;
  url: string;
  events: NotificationEventType[];
  createdAt: Date;
  disabledAt: Date | null;
}

/** Lists notification endpoints, newest first, without their secrets. */
export async function listEndpoints(db: Kysely<Database>): Promise<EndpointInfo[]> {
  const rows = await db
    .selectFrom("notification_endpoints")
    .select(["id", "url", "events", "created_at", "disabled_at"])
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    url: row.url,
    events: row.events as NotificationEventType[],
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  }));
}

/**
 * Disables an endpoint (idempotent): it gets no new events, and its pending deliveries stop at
 * their next attempt. Kept, not deleted, so its delivery log stays listable. 404 when unknown.
 */
export async function disableEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  const row = await db
    .selectFrom("notification_endpoints")
    .select("id")
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new ClientError("not_found", `Notification endpoint ${id} not found`);
  await db
    .updateTable("notification_endpoints")
    .set({ disabled_at: new Date() })
    .where("id", "=", id)
    .where("disabled_at", "is", null)
    .execute();
}
