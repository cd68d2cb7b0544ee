import { timingSafeEqual } from "node:crypto";
import type { ExpressionBuilder, Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { getDb } from "../db/index.js";
import { prepareQuery } from "../db/prepareQuery.js";
import { ClientError, ServiceUnavailableError } from "../errors/index.js";
import {
  type KeyControls,
  type KeyControlsRow,
  keyControlsColumns,
  toKeyControls,
} from "../policy/resolveKeyControls.js";
import { registerEnvAdminKey } from "./envAdminKey.js";
import { hashApiKey } from "./hashApiKey.js";
import { cachedKeyRead, cacheKeyRead, forgetKeyRead } from "./keyControlsCache.js";
import { presentedApiKey } from "./presentedApiKey.js";
import { legacyScope, type Role } from "./roles.js";

/** Who is calling: an API key and its role. */
export interface Principal {
  keyId: string;
  role: Role;
  /**
   * The pre-role scope, derived from `role` (admin → admin, others → sessions) for code not yet
   * moved to roles. Read `role` in new code.
   */
  scope: "admin" | "sessions";
  /**
   * The key's policy and freezes, read in the same statement as the key when the route asked for
   * them (`keyControls` in its declaration): the checks before accepting money-moving work use
   * them instead of a statement of their own. Absent otherwise; read them with resolveKeyControls.
   */
  controls?: KeyControls;
  /** The read came from this process's cache (keyControlsCache): a refusal based on it is not final. */
  controlsCached?: true;
}

export { hashApiKey } from "./hashApiKey.js";

const challenge = { "www-authenticate": 'Bearer realm="paygent"' };

/**
 * Resolves the Bearer key of a request to a principal, or throws 401.
 * AUTH_DISABLED=true (local experiments only) treats every caller as admin. PAYGENT_ADMIN_KEY, when
 * set, is an operator key from the environment: it is registered as an admin row on first use, and
 * a key registered from an earlier value of the variable is revoked as soon as it is seen (or the
 * new value is first used), so rotating the variable really retires the old key.
 */
export async function authenticate(
  request: Request,
  options: {
    withControls?: boolean;
    /**
     * With withControls: reuse a recent read of this key from the process's cache
     * (keyControlsCache), for handlers that check it when they write (see StaleKeyControlsError).
     */
    cached?: boolean;
  } = {},
): Promise<Principal> {
  const config = getConfig();
  if (config.AUTH_DISABLED) return { keyId: "auth-disabled", role: "admin", scope: "admin" };
  const presented = presentedApiKey(request);
  if (presented === undefined) {
    throw new ClientError("unauthorized", "Missing or malformed Authorization: Bearer <api key>", {
      headers: challenge,
    });
  }
  const keyHash = hashApiKey(presented);
  const envHash = config.PAYGENT_ADMIN_KEY ? hashApiKey(config.PAYGENT_ADMIN_KEY) : undefined;
  let principal: Principal | undefined;
  try {
    const db = await getDb();
    const withControls = options.withControls ?? false;
    const cached =
      withControls && options.cached ? cachedKeyRead<Principal>(db, keyHash) : undefined;
    if (cached) return { ...cached, controlsCached: true };
    const found = await findKey(db, keyHash, withControls);
    const read = found ? toPrincipal(found) : undefined;
    if (withControls) {
      // Only reads of live keys with nothing frozen are kept: those are the ones that can accept;
      // and only with a version, or the run's insert could not tell the read is stale.
      if (found?.source === "created" && read?.controls?.version && !read.controls.freeze)
        cacheKeyRead(db, keyHash, read);
      else forgetKeyRead(db, keyHash);
    }
    if (found?.source === "env" && !(envHash && sameHash(keyHash, envHash))) {
      // A key from an earlier PAYGENT_ADMIN_KEY: the operator rotated it away.
      await db
        .updateTable("api_keys")
        .set({ revoked_at: new Date() })
        .where("id", "=", found.id)
        .where("revoked_at", "is", null)
        .execute();
    } else if (read) {
      principal = read;
    } else if (envHash && sameHash(keyHash, envHash)) {
      await registerEnvAdminKey(db, keyHash);
      // Re-read: a revoked env key row stays revoked.
      const registered = await findKey(db, keyHash, false);
      principal = registered ? toPrincipal(registered) : undefined;
    }
  } catch (error) {
    throw new ServiceUnavailableError("Cannot verify the API key right now", { cause: error });
  }
  if (!principal)
    throw new ClientError("unauthorized", "Unknown or revoked API key", { headers: challenge });
  return principal;
}

interface KeyRow extends Partial<KeyControlsRow> {
  id: string;
  role: Role;
  source: "created" | "env";
}

async function findKey(
  db: Kysely<Database>,
  keyHash: string,
  withControls: boolean,
): Promise<KeyRow | undefined> {
  const [row] = await (withControls ? findKeyWithControls : findKeyOnly)(db, { keyHash });
  return row;
}

/** findKey's statement, with or without the key's controls (one prepared query per variant). */
function buildFindKey(withControls: boolean) {
  return (db: Kysely<Database>, p: { keyHash: string }) =>
    // Aliased: the controls' subqueries read api_keys too, and must see this row only through its id.
    db
      .selectFrom("api_keys as presented")
      .select(["presented.id", "presented.role", "presented.source"])
      .$if(withControls, (query) =>
        query.select((eb) =>
          keyControlsColumns(
            eb as unknown as ExpressionBuilder<Database, never>,
            eb.ref("presented.id"),
          ),
        ),
      )
      .where("presented.key_hash", "=", p.keyHash)
      .where("presented.revoked_at", "is", null);
}

// Prepared (see prepareQuery): every authenticated request runs one of these.
const findKeyOnly = prepareQuery("findKey", buildFindKey(false));
const findKeyWithControls = prepareQuery("findKeyWithControls", buildFindKey(true));

function toPrincipal(row: KeyRow): Principal {
  return {
    keyId: row.id,
    role: row.role,
    scope: legacyScope(row.role),
    ...(row.freezes !== undefined && row.policy !== undefined
      ? {
          controls: toKeyControls({
            freezes: row.freezes,
            policy: row.policy,
            controls_version: row.controls_version,
          }),
        }
      : {}),
  };
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/**
 * Throws 404 (not 403, so ids are not probed) unless the principal may use the session:
 * admins reach every session; other keys only the sessions they created.
 */
export function assertSessionAccess(
  principal: Principal,
  session: { id: string; api_key_id: string | null },
): void {
  if (principal.role === "admin") return;
  // No id in the message: callers also reach sessions the caller never named (a payment's), and
  // a 404 must not tell one principal another's session id (issue 20).
  if (session.api_key_id !== principal.keyId)
    throw new ClientError("not_found", "Session not found");
}
