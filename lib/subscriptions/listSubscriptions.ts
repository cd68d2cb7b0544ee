import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/index.js";
import { cursorId } from "../http/cursorId.js";
import { cursorTimestamp } from "../http/cursorTimestamp.js";
import { decodeCursor } from "../http/decodeCursor.js";
import { encodeCursor } from "../http/encodeCursor.js";
import { validate } from "../http/validate.js";
import { listSubscriptionsSchema } from "./schemas.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

export type ListSubscriptionsParameters = z.input<typeof listSubscriptionsSchema> & {
  /** Restrict to sessions created by this API key (non-admin callers). */
  apiKeyId?: string;
};

/** The last row's (created_at, id): both reach Postgres, so both are checked (decodeCursor). */
const cursorSchema = z.object({ t: cursorTimestamp, id: cursorId });

/** Subscriptions, newest first, with keyset pagination. */
export async function listSubscriptions(
  db: Kysely<Database>,
  parameters: ListSubscriptionsParameters = {},
): Promise<{ subscriptions: SubscriptionView[]; nextCursor: string | null }> {
  const { apiKeyId, ...rest } = parameters;
  const params = validate(listSubscriptionsSchema, rest, "subscription filters");
  let query = db
    .selectFrom("service_subscriptions as s")
    .selectAll("s")
    // Full microsecond precision: a JS Date would truncate and make the keyset skip rows.
    .select(sql<string>`s.created_at::text`.as("created_key"));
  if (apiKeyId !== undefined) {
    query = query
      .innerJoin("agent_sessions as a", "a.id", "s.session_id")
      .where("a.api_key_id", "=", apiKeyId);
  }
  if (params.sessionId) query = query.where("s.session_id", "=", params.sessionId);
  if (params.serviceId) query = query.where("s.service_id", "=", params.serviceId);
  if (params.status) query = query.where("s.status", "=", params.status);
  if (params.cursor) {
    const cursor = decodeCursor(params.cursor, cursorSchema);
    query = query.where((eb) =>
      eb.or([
        eb("s.created_at", "<", sql<Date>`${cursor.t}::timestamptz`),
        eb.and([
          eb("s.created_at", "=", sql<Date>`${cursor.t}::timestamptz`),
          eb("s.id", "<", cursor.id),
        ]),
      ]),
    );
  }
  const rows = await query
    .orderBy("s.created_at", "desc")
    .orderBy("s.id", "desc")
    .limit(params.limit + 1)
    .execute();
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  return {
    subscriptions: page.map(({ created_key: _, ...row }) => toSubscriptionView(row)),
    nextCursor:
      rows.length > params.limit && last
        ? encodeCursor({ t: last.created_key, id: last.id } satisfies z.input<typeof cursorSchema>)
        : null,
  };
}
