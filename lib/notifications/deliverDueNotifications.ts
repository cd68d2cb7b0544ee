import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { log } from "../log.js";
import { fetchPublic } from "../security/fetchPublic.js";
import { webhookHeaders } from "../security/signWebhook.js";
import { DELIVERY_LEASE_MS, nextAttemptAt } from "./backoff.js";

export interface DeliverDueNotificationsParameters {
  /**
   * Injected for tests of transport failures; defaults to fetchPinned (resolved once, checked,
   * connected to the checked address).
   */
  fetch?: typeof fetch;
  now?: Date;
  /** Most deliveries sent by one call. */
  limit?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Allow loopback/private URLs; default only on the devnet (see assertPublicUrl). */
  allowPrivate?: boolean;
}

export interface DeliverDueNotificationsReturnType {
  attempted: number;
  delivered: number;
  /** Will be tried again later. */
  retrying: number;
  /** Gave up: 24 hours passed, or the endpoint was disabled. */
  failed: number;
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * Sends every due delivery once: signed like Paygent's inbound webhooks (x-paygent-timestamp,
 * x-paygent-event-id, x-paygent-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">), a
 * fresh timestamp per attempt and the same event id. A 2xx marks it delivered; anything else
 * schedules the next attempt with backoff until 24 h after the event. Every attempt is logged.
 * Safe to run on several hosts at once: rows are claimed with a lease (FOR UPDATE SKIP LOCKED).
 */
export async function deliverDueNotifications(
  db: Kysely<Database>,
  parameters: DeliverDueNotificationsParameters = {},
): Promise<DeliverDueNotificationsReturnType> {
  const now = parameters.now ?? new Date();
  const claimed = await claimDue(db, now, parameters.limit ?? 50);
  const result: DeliverDueNotificationsReturnType = {
    attempted: 0,
    delivered: 0,
    retrying: 0,
    failed: 0,
  };
  for (const delivery of claimed) {
    const endpoint = await db
      .selectFrom("notification_endpoints")
      .select(["url", "secret", "disabled_at"])
      .where("id", "=", delivery.endpoint_id)
      .executeTakeFirstOrThrow();
    const attempt = delivery.attempts + 1;
    const startedAt = new Date();
    const outcome: Outcome =
      endpoint.disabled_at !== null
        ? { ok: false, status: null, error: "endpoint disabled" }
        : await send({ ...parameters, url: endpoint.url, secret: endpoint.secret, delivery });
    const durationMs = Date.now() - startedAt.getTime();
    const retryAt =
      outcome.ok || endpoint.disabled_at !== null
        ? null
        : nextAttemptAt({ attempts: attempt, createdAt: delivery.created_at, now });
    const status = outcome.ok ? "delivered" : retryAt ? "pending" : "failed";
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("notification_attempts")
        .values({
          delivery_id: delivery.id,
          attempt,
          started_at: startedAt,
          duration_ms: durationMs,
          status_code: outcome.status,
          error: outcome.ok ? null : outcome.error,
        })
        .execute();
      await trx
        .updateTable("notification_deliveries")
        .set({
          status,
          attempts: attempt,
          last_status: outcome.status,
          last_error: outcome.ok ? null : outcome.error,
          locked_until: null,
          ...(retryAt ? { next_attempt_at: retryAt } : {}),
          ...(outcome.ok ? { delivered_at: new Date() } : {}),
        })
        .where("id", "=", delivery.id)
        .execute();
    });
    result.attempted++;
    if (status === "delivered") result.delivered++;
    else if (status === "pending") result.retrying++;
    else result.failed++;
  }
  return result;
}

async function claimDue(db: Kysely<Database>, now: Date, limit: number) {
  return await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("notification_deliveries")
      .select(["id", "endpoint_id", "event_id", "body", "attempts", "created_at"])
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
      .orderBy("next_attempt_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length > 0) {
      await trx
        .updateTable("notification_deliveries")
        .set({ locked_until: new Date(now.getTime() + DELIVERY_LEASE_MS) })
        .where(
          "id",
          "in",
          rows.map((row) => row.id),
        )
        .execute();
    }
    return rows;
  });
}

async function send(parameters: {
  url: string;
  secret: string;
  delivery: { event_id: string; body: string };
  fetch?: typeof fetch;
  timeoutMs?: number;
  allowPrivate?: boolean;
}): Promise<Outcome> {
  const body = parameters.delivery.body;
  try {
    // Checked at every attempt (fetchPublic): the host's addresses may have changed since it was
    // registered, and the signed POST must never reach an internal host.
    const response = await fetchPublic(
      parameters.url,
      {
        method: "POST",
        headers: webhookHeaders({
          secret: parameters.secret,
          body,
          eventId: parameters.delivery.event_id,
        }),
        body,
        signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
      },
      { allowPrivate: parameters.allowPrivate, fetch: parameters.fetch },
    );
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300)
      return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    // A refused address is recorded as the check's verdict, as when it was checked separately.
    if (error instanceof ClientError) return { ok: false, status: null, error: error.message };
    // Never the URL's query or the secret: only the transport's own reason.
    const reason =
      error instanceof Error
        ? error.name === "TimeoutError"
          ? "timed out"
          : error.message
        : "failed";
    log.debug("notification attempt failed", { reason });
    return { ok: false, status: null, error: reason.slice(0, 300) };
  }
}
