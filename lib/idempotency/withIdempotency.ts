import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { claimIdempotencyKey, type IdempotencyScope } from "./claimIdempotencyKey.js";

/** Header set on a replayed answer (IETF httpapi idempotency draft, ACP §5). */
export const REPLAYED_HEADER = "idempotent-replayed";

/**
 * Runs `handle` at most once per Idempotency-Key (see claimIdempotencyKey): the first request's
 * answer is stored and replayed to retries with `Idempotent-Replayed: true`. A request that throws
 * or answers 5xx releases its key, so the retry the client will make runs afresh; handlers that
 * use keys are all-or-nothing (startRun additionally de-duplicates runs by the same key).
 */
export async function withIdempotency(
  db: Kysely<Database>,
  scope: IdempotencyScope,
  requestHash: string,
  handle: () => Promise<Response>,
): Promise<Response> {
  const claim = await claimIdempotencyKey(db, scope, requestHash);
  if (!claim.owned) {
    const { status, headers, body } = claim.response;
    return new Response(body === "" ? null : body, {
      status,
      headers: { ...headers, [REPLAYED_HEADER]: "true" },
    });
  }
  let response: Response;
  try {
    response = await handle();
  } catch (error) {
    await release(db, scope);
    throw error;
  }
  if (response.status >= 500) {
    await release(db, scope);
    return response;
  }
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  await db
    .updateTable("idempotency_keys")
    .set({
      response_status: response.status,
      response_headers: JSON.stringify(headers),
      response_body: body,
      locked_until: null,
    })
    .where("principal", "=", scope.principal)
    .where("operation", "=", scope.operation)
    .where("key", "=", scope.key)
    .execute();
  // Expired keys of this caller go as it makes new ones (the primary key's prefix finds them).
  await db
    .deleteFrom("idempotency_keys")
    .where("principal", "=", scope.principal)
    .where("expires_at", "<", new Date())
    .execute();
  return new Response(body === "" ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function release(db: Kysely<Database>, scope: IdempotencyScope): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("principal", "=", scope.principal)
    .where("operation", "=", scope.operation)
    .where("key", "=", scope.key)
    .where("response_status", "is", null)
    .execute();
}
