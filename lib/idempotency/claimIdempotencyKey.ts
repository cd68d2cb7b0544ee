import { type Kysely, sql } from "kysely";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";

/** How long a key is remembered: the IETF draft and ACP §5 ask for at least 24 hours. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/**
 * How long the first request holds its key. Requests that use keys start runs and answer in a
 * second or two; a request that crashed loses the lock after this and its retry proceeds.
 */
export const IDEMPOTENCY_LOCK_SECONDS = 120;

export interface IdempotencyScope {
  /** The caller's key id: one principal never sees another's keys. */
  principal: string;
  /** The endpoint's operationId: the same key on another endpoint is another key. */
  operation: string;
  key: string;
}

/** A response stored for replay. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Either this request now owns the key, or an earlier one answered and is replayed. */
export type IdempotencyClaim = { owned: true } | { owned: false; response: StoredResponse };

/**
 * Claims an Idempotency-Key for one request: the first request (or the first after the key expired,
 * or after an in-flight request's lock lapsed) owns it. Otherwise the stored response is returned,
 * or the request is refused: another body under the key → 422 idempotency_conflict; the first
 * request still in flight → 409 with Retry-After.
 */
export async function claimIdempotencyKey(
  db: Kysely<Database>,
  scope: IdempotencyScope,
  requestHash: string,
): Promise<IdempotencyClaim> {
  // A few rounds: the row we lost to can be released (its request failed) before we read it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed = await sql<{ key: string }>`
      insert into idempotency_keys
        (principal, operation, key, request_hash, locked_until, expires_at)
      values (${scope.principal}, ${scope.operation}, ${scope.key}, ${requestHash},
        now() + make_interval(secs => ${IDEMPOTENCY_LOCK_SECONDS}),
        now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS}))
      on conflict (principal, operation, key) do update set
        request_hash = excluded.request_hash, locked_until = excluded.locked_until,
        expires_at = excluded.expires_at, created_at = now(),
        response_status = null, response_headers = null, response_body = null
      where idempotency_keys.expires_at < now()
        or (idempotency_keys.response_status is null
          and idempotency_keys.locked_until < now()
          and idempotency_keys.request_hash = excluded.request_hash)
      returning key`.execute(db);
    if (claimed.rows.length > 0) return { owned: true };

    const existing = await db
      .selectFrom("idempotency_keys")
      .select([
        "request_hash",
        "locked_until",
        "response_status",
        "response_headers",
        "response_body",
      ])
      .where("principal", "=", scope.principal)
      .where("operation", "=", scope.operation)
      .where("key", "=", scope.key)
      .executeTakeFirst();
    if (!existing) continue;
    if (existing.request_hash !== requestHash) {
      throw new ClientError(
        "idempotency_conflict",
        "This Idempotency-Key was already used with a different request body; use a new key for a new request",
      );
    }
    if (existing.response_status === null) {
      const waitMs = (existing.locked_until?.getTime() ?? Date.now()) - Date.now();
      throw new ClientError(
        "idempotency_in_flight",
        "A request with this Idempotency-Key is still being processed; retry shortly",
        { headers: { "retry-after": String(Math.min(2, Math.max(1, Math.ceil(waitMs / 1000)))) } },
      );
    }
    return {
      owned: false,
      response: {
        status: existing.response_status,
        headers: existing.response_headers ?? {},
        body: existing.response_body ?? "",
      },
    };
  }
  throw new ClientError(
    "idempotency_in_flight",
    "A request with this Idempotency-Key is still being processed; retry shortly",
    { headers: { "retry-after": "1" } },
  );
}
