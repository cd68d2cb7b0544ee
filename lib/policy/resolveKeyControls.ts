import { type Expression, type ExpressionBuilder, type Kysely, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database } from "../db/database.js";
import { prepareQuery } from "../db/prepareQuery.js";
import { keyTarget, WALLET_TARGET } from "../freeze/freezeTargets.js";
import {
  type KeyPolicyRow,
  keyPolicy,
  type ResolvedPolicy,
  resolvePolicy,
  toResolvedPolicy,
} from "./resolvePolicy.js";

/** A freeze that stops a key from moving money. */
export interface ActiveFreeze {
  target: string;
  reason: string | null;
  frozenAt: Date;
}

/** What governs a key right now: its policy and, if any, the freeze that stops it. */
export interface KeyControls {
  policy: ResolvedPolicy;
  /** The wallet's freeze first, else the key's; undefined when neither is frozen. */
  freeze?: ActiveFreeze;
  /**
   * The key_controls_version this read saw (a bigint, as a string): a run accepted on it records
   * it, and its insert fails if the key, its policy or a freeze changed since (startRun).
   */
  version?: string;
  /** When the key was revoked: nothing moves under it any more, like a freeze no one lifts. */
  revokedAt?: Date;
}

/** What keyControlsColumns reads, before toKeyControls. */
export interface KeyControlsRow {
  freezes: unknown;
  policy: KeyPolicyRow;
  controls_version?: string | null;
}

/**
 * The key's policy and freezes in one round trip, read fresh every time (a freeze or a tightened
 * policy applies to the very next request; the accept routes' cached reads are checked by the run's
 * insert, see lib/auth/keyControlsCache). Accepting a command needs both, and each
 * extra statement is a wait on a busy database under a burst (issue 17). authenticate() can read
 * them with the key itself (keyControlsColumns), saving this statement on the accept path.
 */
export async function resolveKeyControls(
  db: Kysely<Database>,
  parameters: { keyId: string | null },
): Promise<KeyControls> {
  const { keyId } = parameters;
  if (!keyId) {
    const row = await db
      .selectNoFrom((eb) => [freezesOf(eb, [WALLET_TARGET]).as("freezes")])
      .executeTakeFirstOrThrow();
    return toKeyControls(
      { freezes: row.freezes, policy: null },
      await resolvePolicy(db, { keyId }),
    );
  }
  const [row] = await selectKeyControls(db, { keyId });
  if (!row) throw new Error("the key controls select returned no row");
  return toKeyControls(row as KeyControlsRow);
}

// Prepared (see prepareQuery): every gate before money moves runs it. The key id goes in as a
// value expression, so its freeze target is `'key:' || $n` in the SQL rather than a computed value.
const selectKeyControls = prepareQuery("resolveKeyControls", (db, p: { keyId: string }) =>
  db.selectNoFrom((eb) => keyControlsColumns(eb, eb.val(p.keyId))),
);

/**
 * The columns `freezes` and `policy` of a key, for a select of its own (resolveKeyControls) or
 * beside the key's row (`keyId` a reference to api_keys.id). Read them back with toKeyControls.
 */
export function keyControlsColumns(
  eb: ExpressionBuilder<Database, never>,
  keyId: string | Expression<string>,
) {
  const keyFreeze =
    typeof keyId === "string"
      ? eb.val(keyTarget(keyId))
      : sql<string>`${keyTarget("")} || ${keyId}`;
  return [
    freezesOf(eb, [eb.val(WALLET_TARGET), keyFreeze]).as("freezes"),
    keyPolicy(eb, keyId).as("policy"),
    // In the same snapshot as the freezes and the policy (migration 2026_12_01_0100).
    eb
      .selectFrom("key_controls_version")
      .select(sql<string>`version::text`.as("version"))
      .as("controls_version"),
  ] as const;
}

/** Reads keyControlsColumns back (`policy` given: a key without a row of its own, e.g. no key). */
export function toKeyControls(row: KeyControlsRow, policy?: ResolvedPolicy): KeyControls {
  const freezes = row.freezes as { target: string; reason: string | null; frozen_at: string }[];
  const frozen = freezes.find((f) => f.target === WALLET_TARGET) ?? freezes[0];
  return {
    policy: policy ?? toResolvedPolicy(row.policy),
    ...(row.controls_version != null ? { version: row.controls_version } : {}),
    ...(row.policy?.revoked_at ? { revokedAt: new Date(row.policy.revoked_at) } : {}),
    ...(frozen
      ? {
          freeze: {
            target: frozen.target,
            reason: frozen.reason,
            frozenAt: new Date(frozen.frozen_at),
          },
        }
      : {}),
  };
}

function freezesOf(
  eb: ExpressionBuilder<Database, never>,
  targets: readonly (string | Expression<string>)[],
) {
  return jsonArrayFrom(
    eb
      .selectFrom("freezes")
      .select(["target", "reason", "frozen_at"])
      .where(
        "target",
        "in",
        targets.map((target) => (typeof target === "string" ? eb.val(target) : target)),
      ),
  );
}
