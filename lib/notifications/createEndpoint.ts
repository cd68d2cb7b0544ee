import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/database.js";
import { validate } from "../http/validate.js";
import { newId } from "../ids.js";
import { assertPublicUrl } from "../security/assertPublicUrl.js";
import { type NotificationEventType, notificationEventType } from "./events.js";

/** Body of POST /api/notifications/endpoints. */
export const createEndpointRequest = z
  .object({
    url: z.string().trim().max(2000).url().describe("Where signed events are POSTed (https)"),
    events: z
      .array(notificationEventType)
      .min(1)
      .max(20)
      .describe("Event types this endpoint receives"),
  })
  .strict();

export interface CreateEndpointParameters {
  url: string;
  events: NotificationEventType[];
  /** The admin key creating it (recorded). */
  createdBy?: string;
  /** Allow loopback/private URLs; default only on the devnet (see assertPublicUrl). */
  allowPrivate?: boolean;
}

export interface CreateEndpointReturnType {
  id: string;
  url: string;
  events: NotificationEventType[];
  /** HMAC secret of the x-paygent-signature header. Returned once, here. */
  secret: string;
}

/**
 * Registers a notification endpoint with a generated signing secret. The URL must be one the
 * server may call (no private or metadata addresses outside the devnet).
 */
export async function createEndpoint(
  db: Kysely<Database>,
  parameters: CreateEndpointParameters,
): Promise<CreateEndpointReturnType> {
  const input = validate(createEndpointRequest, {
    url: parameters.url,
    events: parameters.events,
  });
  const url = await assertPublicUrl(input.url, { allowPrivate: parameters.allowPrivate });
  const events = [...new Set(input.events)];
  const id = newId("nep");
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  await db
    .insertInto("notification_endpoints")
    .values({
      id,
      url: url.toString(),
      events: JSON.stringify(events),
      secret,
      created_by: parameters.createdBy ?? null,
    })
    .execute();
  return { id, url: url.toString(), events, secret };
}
