import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { BaseError, type ErrorKind } from "../errors/index.js";
import { processSingleton } from "../singleton.js";

/**
 * Recent reads of API keys with their controls (role, policy, freezes, and the key_controls_version
 * they were read at), kept as the principal they were read into, so an accept can skip the key's
 * database read (issue 17: one round trip of three, each a wait on a busy database under a
 * burst). Never the key itself: entries are named by the key's stored hash.
 *
 * A cached read only ever leads to an accept the database confirms: the run's insert fails unless
 * the version is still current (runs.controls_version), and a refusal decided on a cached read
 * (a freeze, a limit above the policy) is not given either; both throw StaleKeyControlsError, and
 * endpoint() answers the request again on a fresh read. Only routes whose handler does that use it
 * (`keyControls: "cached"`).
 *
 * Per database (a test process opens several), bounded in size (1,000 keys) and age
 * (KEY_CONTROLS_CACHE_SECONDS, default 60; 0 turns it off).
 */
interface CachedKeyRead<Row> {
  row: Row;
  readAt: number;
}

const maxEntries = 1_000;

/** How long a read is reused (KEY_CONTROLS_CACHE_SECONDS); 0: never. */
function reuseMs(): number {
  return getConfig().KEY_CONTROLS_CACHE_SECONDS * 1000;
}

type Entries = Map<string, CachedKeyRead<unknown>>;

function entriesOf(db: Kysely<Database>): Entries {
  const byDb = processSingleton("keyControlsCache", () => new WeakMap<Kysely<Database>, Entries>());
  let entries = byDb.get(db);
  if (!entries) {
    entries = new Map();
    byDb.set(db, entries);
  }
  return entries;
}

/** The cached read of a key (by its hash), if recent enough. */
export function cachedKeyRead<Row>(
  db: Kysely<Database>,
  keyHash: string,
  now = Date.now(),
): Row | undefined {
  const entries = entriesOf(db);
  const entry = entries.get(keyHash);
  if (!entry) return undefined;
  if (now - entry.readAt >= reuseMs()) {
    entries.delete(keyHash);
    return undefined;
  }
  return entry.row as Row;
}

/** Remembers a fresh read of a key; the oldest entry goes when the cache is full. */
export function cacheKeyRead<Row>(
  db: Kysely<Database>,
  keyHash: string,
  row: Row,
  now = Date.now(),
): void {
  const entries = entriesOf(db);
  entries.delete(keyHash);
  if (reuseMs() === 0) return;
  if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
  entries.set(keyHash, { row, readAt: now });
}

/** Forgets a key's cached read (it turned out stale). */
export function forgetKeyRead(db: Kysely<Database>, keyHash: string): void {
  entriesOf(db).delete(keyHash);
}

/**
 * The key's controls changed after they were read: a run inserted on that read would be accepted
 * under a revoked key, a lifted freeze or a loosened policy, and a refusal decided on it may no
 * longer hold. endpoint() answers the request again on a fresh read; if the controls change again
 * meanwhile, the client gets 503 and retries.
 */
export class StaleKeyControlsError extends BaseError {
  static override defaultKind: ErrorKind = "transient";
  override name = "StaleKeyControlsError";
}
